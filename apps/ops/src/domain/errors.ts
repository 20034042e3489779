import { ValidationError } from '@throughline/platform';

/** Bad command-line input: unknown command or option, missing or malformed value. Exit code 2. */
export class UsageError extends ValidationError {
  constructor(
    message: string,
    /** The command whose usage to point at, e.g. "dlq replay". */
    readonly command?: string,
  ) {
    super(message);
  }
}
