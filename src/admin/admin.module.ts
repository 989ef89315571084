import { Module } from '@nestjs/common';
import { ClockModule } from '../clock/clock.module';
import { PaymentsModule } from '../payments/payments.module';
import { StarsModule } from '../payments/providers/stars/stars.module';
import { SubscriptionsModule } from '../subscriptions/subscriptions.module';
import { MainMenu } from '../telegram/bot/handlers/main-menu';
import { TelegramModule } from '../telegram/telegram.module';
import { UsersModule } from '../users/users.module';
import { VpnModule } from '../vpn/vpn.module';
import { AdminCommandsHandler } from '../telegram/bot/admin/admin-commands.handler';
import { AdminRepository } from './admin.repository';
import { AdminService } from './admin.service';
import { BroadcastDeliveryJob } from './broadcast-delivery.job';
import { BroadcastDeliveryService } from './broadcast-delivery.service';
import { BroadcastHandler } from '../telegram/bot/admin/broadcast.handler';
import { BroadcastsRepository } from './broadcasts.repository';
import { BroadcastsService } from './broadcasts.service';

/**
 * Admin commands (ADMIN_IDS): stats, find, grant, block, broadcast, failed provisioning, refunds. Its
 * @Update classes are discovered by nestjs-telegraf like the user handlers; they come after them in the
 * chain (this module imports TelegramModule), and the user handlers pass `adm:` buttons and admin commands on.
 */
@Module({
  imports: [
    ClockModule,
    UsersModule,
    SubscriptionsModule,
    PaymentsModule,
    StarsModule,
    VpnModule,
    TelegramModule,
  ],
  providers: [
    // Stateless: a second instance renders the same menu for the non-admin answer (see admin-replies.ts).
    MainMenu,
    AdminRepository,
    AdminService,
    AdminCommandsHandler,
    BroadcastHandler,
    BroadcastsRepository,
    BroadcastsService,
    BroadcastDeliveryService,
    BroadcastDeliveryJob,
  ],
})
export class AdminModule {}
