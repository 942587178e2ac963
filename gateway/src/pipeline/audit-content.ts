// Prompt and answer text for the audit record, only on routes with `spec.audit.includeContent`
// (every other route pays one field check per hook). The text is what went upstream and what the
// caller was sent: these stages run after the guardrails, so their redactions hold here too;
// anything shaped like a credential is redacted (the logger's redaction) and each text is cut
// at AUDIT_CONTENT_MAX_CHARS.
import { redactSecrets } from '@switchyard/compiler';
import type { ContentPart } from '../unified/chat-request.js';
import type { Exchange } from './exchange.js';
import type { InputCheck, OutputCheck, StreamStage, StreamTransformer } from './stages.js';

const AUDIT_CONTENT_MAX_CHARS = 16_384;

function wanted(exchange: Exchange): boolean {
  return exchange.route?.compiled.auditContent === true;
}

function bounded(text: string): string {
  const cut =
    text.length > AUDIT_CONTENT_MAX_CHARS
      ? `${text.slice(0, AUDIT_CONTENT_MAX_CHARS)}[cut at ${AUDIT_CONTENT_MAX_CHARS} characters]`
      : text;
  return redactSecrets(cut);
}

function textOf(parts: readonly ContentPart[]): string {
  let text = '';
  for (const part of parts) if (part.type === 'text') text += part.text;
  return text;
}

export const auditPromptCheck: InputCheck = (checked, exchange) => {
  if (!wanted(exchange) || checked.operation !== 'chat') return;
  const prompt = checked.request.messages.map((message) => `${message.role}: ${textOf(message.content)}`).join('\n');
  exchange.auditContent = { ...exchange.auditContent, prompt: bounded(prompt) };
};

export const auditAnswerCheck: OutputCheck = (answer, exchange) => {
  if (!wanted(exchange) || answer.operation !== 'chat') return;
  exchange.auditContent = { ...exchange.auditContent, answer: bounded(textOf(answer.response.content)) };
};

/** Gathers a stream's answer text (at most the bound) as it passes to the caller. */
export const auditAnswerStreamStage: StreamStage = (exchange) => {
  if (!wanted(exchange)) return undefined;
  let text = '';
  const transformer: StreamTransformer = {
    transform(events) {
      for (const event of events) if (event.type === 'text_delta' && text.length <= AUDIT_CONTENT_MAX_CHARS) text += event.text;
      exchange.auditContent = { ...exchange.auditContent, answer: bounded(text) };
      return events;
    },
  };
  return transformer;
};
