/** JSON over HTTP for the demo scripts: plain-text answers (timelines) stay text. */
export async function request<T>(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T }> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // plain text answers (timelines) stay text
  }
  return { status: response.status, body: parsed as T };
}

export function expectOk(what: string, result: { status: number; body: unknown }): void {
  if (result.status >= 300)
    throw new Error(`${what} failed with HTTP ${result.status}: ${JSON.stringify(result.body)}`);
}
