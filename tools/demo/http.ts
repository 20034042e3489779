/**
 * How long the demo waits for the services to get somewhere: generous, because the demo shares a
 * small machine with the whole stack and often with other people's test runs.
 */
export const DEMO_WAIT_MS = 300_000;

/** Attempts of a request the service answers 503 (a transient failure: "retry later"). */
const ATTEMPTS_ON_503 = 6;

/**
 * JSON over HTTP for the demo scripts: plain-text answers (timelines) stay text. A 503 is retried
 * with capped exponential backoff, as any client of these APIs should: under load a service's
 * transaction can time out and roll back, and every request the demo sends is idempotent (upserts
 * and commands with ids of their own).
 */
export async function request<T>(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T }> {
  for (let attempt = 1; ; attempt++) {
    const answer = await requestOnce<T>(method, url, body, headers);
    if (answer.status !== 503 || attempt === ATTEMPTS_ON_503) return answer;
    await new Promise((resolve) => setTimeout(resolve, Math.min(500 * 2 ** attempt, 8_000)));
  }
}

async function requestOnce<T>(
  method: string,
  url: string,
  body: unknown,
  headers: Record<string, string>,
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
