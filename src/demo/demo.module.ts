import { Module, type DynamicModule } from '@nestjs/common';
import { DemoChatService } from './demo-chat.service';
import { DemoController } from './demo.controller';
import { DemoServices } from './demo-services';

@Module({})
export class DemoModule {
  static forRoot(services: DemoServices): DynamicModule {
    return {
      module: DemoModule,
      providers: [{ provide: DemoServices, useValue: services }, DemoChatService],
      controllers: [DemoController],
    };
  }
}
