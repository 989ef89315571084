import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Header,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { DemoChatService, type DemoSender } from './demo-chat.service';
import { demoPage } from './demo-page';

interface SenderBody {
  lang?: unknown;
  firstName?: unknown;
}

@Controller()
export class DemoController {
  constructor(private readonly chat: DemoChatService) {}

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-store')
  page(): string {
    return demoPage(this.chat.users);
  }

  @Get('demo/api/users')
  users() {
    return this.chat.users;
  }

  @Get('demo/api/chat/:userId')
  events(@Param('userId') userId: string, @Query('after') after?: string) {
    return this.chat.events(id(userId), after === undefined ? 0 : id(after));
  }

  @Get('demo/api/photo/:seq')
  photo(@Param('seq') seq: string, @Res() res: Response): void {
    const bytes = this.chat.photo(id(seq));
    if (!bytes) throw new NotFoundException();
    const png = bytes.subarray(0, 4).toString('latin1') === '\x89PNG';
    res.setHeader('content-type', png ? 'image/png' : 'image/jpeg');
    res.setHeader('cache-control', 'no-store');
    res.end(bytes);
  }

  @Post('demo/api/chat/:userId/message')
  message(@Param('userId') userId: string, @Body() body: SenderBody & { text?: unknown }) {
    if (typeof body.text !== 'string' || !body.text.trim() || body.text.length > 4096)
      throw new BadRequestException('text must be 1-4096 characters');
    this.chat.message(sender(userId, body), body.text);
    return { ok: true };
  }

  @Post('demo/api/chat/:userId/press')
  press(@Param('userId') userId: string, @Body() body: SenderBody & { data?: unknown; messageId?: unknown }) {
    if (typeof body.data !== 'string' || body.data.length > 64)
      throw new BadRequestException('data is required');
    this.chat.press(sender(userId, body), body.data, id(String(body.messageId)));
    return { ok: true };
  }

  @Post('demo/api/chat/:userId/pay-stars')
  payStars(@Param('userId') userId: string, @Body() body: SenderBody & { messageId?: unknown }) {
    return this.chat.payStars(sender(userId, body), id(String(body.messageId)));
  }

  @Post('demo/api/chat/:userId/pay-crypto')
  async payCrypto(
    @Param('userId') userId: string,
    @Body() body: { invoiceId?: unknown; invoiceUrl?: unknown },
    @Req() req: Request,
  ) {
    id(userId);
    const invoiceId =
      body.invoiceId !== undefined
        ? id(String(body.invoiceId))
        : typeof body.invoiceUrl === 'string'
          ? this.chat.cryptoInvoiceFor(body.invoiceUrl)
          : undefined;
    if (invoiceId === undefined) throw new BadRequestException('invoiceId or invoiceUrl is required');
    // Crypto Pay calls the app's public webhook; the demo calls the very address this request came in on.
    const host = req.socket.localAddress ?? '127.0.0.1';
    const base = `http://${host.includes(':') ? `[${host}]` : host}:${req.socket.localPort}`;
    const result = await this.chat.payCrypto(invoiceId, `${base}/payments/crypto-pay/webhook`);
    if (!result.ok && result.status === undefined) throw new NotFoundException('no such invoice');
    return result;
  }
}

function id(v: string): number {
  if (!/^\d{1,15}$/.test(v)) throw new BadRequestException('ids are whole numbers');
  return Number(v);
}

function sender(userId: string, body: SenderBody): DemoSender {
  return {
    userId: id(userId),
    lang: body.lang === 'ru' ? 'ru' : 'en',
    firstName: typeof body.firstName === 'string' ? body.firstName.slice(0, 64) : undefined,
  };
}
