import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { TelegrafExecutionContext } from 'nestjs-telegraf';
import { from, type Observable } from 'rxjs';
import type { Context } from 'telegraf';
import { AdminService } from '../../../admin/admin.service';
import { MainMenu } from '../handlers/main-menu';
import { answerUnknown } from '../handlers/unknown-update';

/** A non-admin gets exactly the answer to an unknown command or a stale button. */
@Injectable()
export class AdminGateInterceptor implements NestInterceptor {
  constructor(
    private readonly admin: AdminService,
    private readonly menu: MainMenu,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const ctx = TelegrafExecutionContext.create(context).getContext<Context>();
    if (this.admin.isAdmin(ctx.from?.id)) return next.handle();
    return from(answerUnknown(ctx, this.menu));
  }
}
