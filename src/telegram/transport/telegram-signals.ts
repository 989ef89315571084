import { Injectable, type OnModuleInit } from '@nestjs/common';
import { SignalRegistry } from '../../signals/signal-registry';
import { PollingTransport } from './polling.transport';
import { TelegramInboxRepository } from './telegram-inbox.repository';
import { UpdateDispatcherService } from './update-dispatcher.service';

@Injectable()
export class TelegramSignals implements OnModuleInit {
  constructor(
    private readonly registry: SignalRegistry,
    private readonly polling: PollingTransport,
    private readonly dispatcher: UpdateDispatcherService,
    private readonly inbox: TelegramInboxRepository,
  ) {}

  onModuleInit(): void {
    const { polling, dispatcher, inbox } = this;
    this.registry.register('telegram.polling', {
      status: () => polling.status(),
      abortInFlight: (reason) => polling.abortInFlight(reason),
    });
    this.registry.register('telegram.dispatcher', {
      status: () => dispatcher.status(),
      restart: (reason, stuckAfterMs) => dispatcher.restart(reason, stuckAfterMs),
      pause: (ms, reason) => dispatcher.pause(ms, reason),
    });
    this.registry.register('telegram.inbox', { counts: () => inbox.counts() });
  }
}
