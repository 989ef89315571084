import { Catch, type ExceptionFilter } from '@nestjs/common';

/**
 * Nest's default filter for non-HTTP contexts logs every error a handler throws at ERROR with its stack, then
 * rethrows it. Expected domain outcomes (trial used, not enough balance …) are answered by the bot's error
 * boundary, and real failures are logged once by the dispatcher: this filter only rethrows, so nothing is
 * logged twice. Applied with @UseFilters on every user-facing @Update class.
 */
@Catch()
export class RethrowToBoundary implements ExceptionFilter {
  catch(exception: unknown): never {
    throw exception;
  }
}
