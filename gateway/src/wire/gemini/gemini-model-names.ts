// Gemini writes model names as resources in bodies and paths (`models/gemini-flash`); the
// gateway's public model name is the part after `models/`.

/** `models/gemini-flash` -> `gemini-flash`; a bare name is returned as it is. */
export function publicModelName(name: string): string {
  return name.startsWith('models/') ? name.slice('models/'.length) : name;
}

/** The resource name Google's responses use: `models/<name>`. */
export function modelResourceName(name: string): string {
  return `models/${name}`;
}
