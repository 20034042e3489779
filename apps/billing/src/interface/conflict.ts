import { ConflictException } from '@nestjs/common';

import { ActualStateConflict } from '../application/actuals.service';
import { StateConflict } from '../application/invoicing.service';

/** Runs a command; a refusal because of the current state becomes HTTP 409 with the reason. */
export async function conflictsAs409<T>(command: () => Promise<T>): Promise<T> {
  try {
    return await command();
  } catch (error) {
    if (error instanceof StateConflict || error instanceof ActualStateConflict) {
      throw new ConflictException({ error: error.message });
    }
    throw error;
  }
}
