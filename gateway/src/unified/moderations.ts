// A moderations request and answer (OpenAI's /v1/moderations), the one format that has them.
// The request has the embeddings request's shape (model, input texts), so admission and routing
// estimate it like embeddings: input tokens only, nothing generated.

export interface UnifiedModerationsRequest {
  model: string;
  input: string[];
  /** The caller sent one string rather than an array (upstream gets what the caller sent). */
  single: boolean;
}

export interface ModerationResult {
  flagged: boolean;
  categories: Record<string, boolean>;
  category_scores: Record<string, number>;
  /** Passed through when the upstream gives it (omni-moderation models). */
  category_applied_input_types?: Record<string, string[]>;
}

export interface UnifiedModerationsResponse {
  id: string;
  model: string;
  results: ModerationResult[];
}
