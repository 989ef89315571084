import { Injectable } from '@nestjs/common';

/** The application's idea of "now": rules take time from here so tests can move it. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
