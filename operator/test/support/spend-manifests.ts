// What the cluster spend tests share: a priced mock route whose every answer costs the same, and
// the VirtualKey (label team=payments) that pays for it. Each test adds its own Budgets.

/** Every answer: 1 input + 100 output tokens at $10 per million each = $0.00101. */
export const METERED_ANSWER_NANOS = 1_010_000n;
const LONG_ANSWER = 'abcd'.repeat(100);

export const METERED_ROUTE_AND_PAYER = `
apiVersion: switchyard.dev/v1alpha1
kind: ModelRoute
metadata: {name: metered, namespace: default}
spec:
  model: metered
  backends:
  - name: mock-metered
    provider: mock
    model: echo
    mock: {response: "${LONG_ANSWER}"}
    pricing: {inputPerMillion: "10", outputPerMillion: "10"}
---
apiVersion: switchyard.dev/v1alpha1
kind: VirtualKey
metadata: {name: payer, namespace: default, labels: {team: payments}}
spec:
  secretName: payer-key
`;
