// Tracing is configured by the standard OpenTelemetry variables: on only when an OTLP endpoint
// is set and nothing turns it off; unsupported choices are refused with the variable named.
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_SERVICE_NAME, TracingConfigError, tracingConfigFromEnv } from '../../src/observe/tracing/tracing-config.js';

const ENDPOINT = 'http://collector:4318';

describe('tracingConfigFromEnv', () => {
  const off: Array<[string, Record<string, string>]> = [
    ['no variables', {}],
    ['only a service name', { OTEL_SERVICE_NAME: 'svc' }],
    ['an empty endpoint', { OTEL_EXPORTER_OTLP_ENDPOINT: '  ' }],
    ['OTEL_SDK_DISABLED=true', { OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT, OTEL_SDK_DISABLED: 'true' }],
    ['OTEL_SDK_DISABLED=TRUE', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: ENDPOINT, OTEL_SDK_DISABLED: 'TRUE' }],
    ['OTEL_TRACES_EXPORTER=none', { OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT, OTEL_TRACES_EXPORTER: 'none' }],
  ];
  it.each(off)('off: %s', (_name, env) => {
    expect(tracingConfigFromEnv(env)).toBeUndefined();
  });

  const on: Array<[string, Record<string, string>, { tracesEndpoint: string; protocol: string; serviceName: string }]> = [
    [
      'base endpoint gets /v1/traces',
      { OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT },
      { tracesEndpoint: `${ENDPOINT}/v1/traces`, protocol: 'http/protobuf', serviceName: DEFAULT_SERVICE_NAME },
    ],
    [
      'base endpoint with a trailing slash',
      { OTEL_EXPORTER_OTLP_ENDPOINT: `${ENDPOINT}/` },
      { tracesEndpoint: `${ENDPOINT}/v1/traces`, protocol: 'http/protobuf', serviceName: DEFAULT_SERVICE_NAME },
    ],
    [
      'traces endpoint used as given',
      { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${ENDPOINT}/custom`, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://other:1' },
      { tracesEndpoint: `${ENDPOINT}/custom`, protocol: 'http/protobuf', serviceName: DEFAULT_SERVICE_NAME },
    ],
    [
      'credentials and query never shown',
      { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://user:s3cret@collector:4318/v1/traces?token=abc' },
      { tracesEndpoint: 'https://collector:4318/v1/traces', protocol: 'http/protobuf', serviceName: DEFAULT_SERVICE_NAME },
    ],
    [
      'json from the traces protocol',
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT,
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      },
      { tracesEndpoint: `${ENDPOINT}/v1/traces`, protocol: 'http/json', serviceName: DEFAULT_SERVICE_NAME },
    ],
    [
      'json from the general protocol',
      { OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
      { tracesEndpoint: `${ENDPOINT}/v1/traces`, protocol: 'http/json', serviceName: DEFAULT_SERVICE_NAME },
    ],
    [
      'OTEL_TRACES_EXPORTER=otlp',
      { OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT, OTEL_TRACES_EXPORTER: 'otlp' },
      { tracesEndpoint: `${ENDPOINT}/v1/traces`, protocol: 'http/protobuf', serviceName: DEFAULT_SERVICE_NAME },
    ],
    [
      'OTEL_SDK_DISABLED=false',
      { OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT, OTEL_SDK_DISABLED: 'false' },
      { tracesEndpoint: `${ENDPOINT}/v1/traces`, protocol: 'http/protobuf', serviceName: DEFAULT_SERVICE_NAME },
    ],
    [
      'OTEL_SERVICE_NAME',
      { OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT, OTEL_SERVICE_NAME: 'gw-eu', OTEL_RESOURCE_ATTRIBUTES: 'service.name=ignored' },
      { tracesEndpoint: `${ENDPOINT}/v1/traces`, protocol: 'http/protobuf', serviceName: 'gw-eu' },
    ],
    [
      'service.name in OTEL_RESOURCE_ATTRIBUTES',
      { OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT, OTEL_RESOURCE_ATTRIBUTES: 'team=ai, service.name=gw%20west' },
      { tracesEndpoint: `${ENDPOINT}/v1/traces`, protocol: 'http/protobuf', serviceName: 'gw west' },
    ],
  ];
  it.each(on)('on: %s', (_name, env, expected) => {
    expect(tracingConfigFromEnv(env)).toEqual(expected);
  });

  const refused: Array<[string, Record<string, string>, string]> = [
    [
      'grpc',
      { OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' },
      'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=grpc',
    ],
    [
      'an unknown protocol',
      { OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL: 'carrier-pigeon' },
      'OTEL_EXPORTER_OTLP_PROTOCOL=carrier-pigeon',
    ],
    ['zipkin exporter', { OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT, OTEL_TRACES_EXPORTER: 'zipkin' }, 'OTEL_TRACES_EXPORTER=zipkin'],
    ['an endpoint that is not a URL', { OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' }, 'OTEL_EXPORTER_OTLP_ENDPOINT is not a URL'],
    [
      'a non-HTTP endpoint',
      { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'ftp://collector/v1/traces' },
      'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must be an http:// or https:// URL',
    ],
  ];
  it.each(refused)('refused: %s', (_name, env, message) => {
    expect(() => tracingConfigFromEnv(env)).toThrow(TracingConfigError);
    expect(() => tracingConfigFromEnv(env)).toThrow(message);
  });

  it('an invalid URL is not echoed (it may hold a credential)', () => {
    expect(() => tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://user:secret@[bad-host' })).toThrow(
      /^OTEL_EXPORTER_OTLP_ENDPOINT is not a URL$/,
    );
  });
});
