import { Global, Module } from '@nestjs/common';
import { SignalRegistry } from './signal-registry';
import { SignalsService } from './signals.service';

@Global()
@Module({ providers: [SignalsService, SignalRegistry], exports: [SignalsService, SignalRegistry] })
export class SignalsModule {}
