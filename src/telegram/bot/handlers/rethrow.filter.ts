import { Catch, type ExceptionFilter } from '@nestjs/common';

/** Nest's default filter logs, then rethrows; the error boundary and the dispatcher already log each once. */
@Catch()
export class RethrowToBoundary implements ExceptionFilter {
  catch(exception: unknown): never {
    throw exception;
  }
}
