import { Global, Module } from '@nestjs/common';
import { SignalsService } from './signals.service';

@Global()
@Module({ providers: [SignalsService], exports: [SignalsService] })
export class SignalsModule {}
