export { checkDeclaredUploadLength, readMultipartForm } from './read-audio-upload.js';
export { decodeSpeechRequest, decodeTranscriptionRequest } from './decode-audio-request.js';
export { encodeSpeechBody, encodeTranscriptionMultipart } from './encode-upstream-audio.js';
export { audioUnitOf, estimateAudioUsage, SseUsageScanner, transcriptionUsage } from './audio-usage.js';
export { decodeGeminiTranscriptionResponse, encodeGeminiTranscriptionRequest } from './gemini-transcription.js';
