import { describe, expect, it } from 'vitest';
import { detectFeedFormat, UnknownFeedFormatError } from './feed-format';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

describe('feed format by User-Agent', () => {
  it.each([
    ['v2rayN/7.10.5', 'base64'],
    ['v2rayNG/1.9.45', 'base64'],
    ['Shadowrocket/2070 CFNetwork/1496.0.7 Darwin/23.5.0', 'base64'],
    ['Streisand/1.6.37 CFNetwork/1568.100.1 Darwin/24.0.0', 'base64'],
    ['Happ/1.63.1/ios CFNetwork/3826.500.111.2.2 Darwin/24.4.0', 'base64'],
    // Hiddify names Clash and sing-box in its UA but imports links best.
    ['HiddifyNext/2.5.7 (android) like ClashMeta v2ray sing-box', 'base64'],
    ['clash-verge/v2.2.3', 'clash'],
    ['mihomo/1.19.3', 'clash'],
    ['ClashMetaForAndroid/2.11.5.Meta', 'clash'],
    ['ClashX Meta/v1.4.24 (com.metacubex.ClashX.meta; build:622; macOS 26.0.0) Alamofire/5.10.2', 'clash'],
    ['FlClash/v0.8.80 clash-verge Platform/android', 'clash'],
    ['Stash/3.1.1 Clash/1.9.0', 'clash'],
    ['SFA/1.11.4 (Android 14; sing-box 1.11.4; language en_US)', 'singbox'],
    ['SFI/1.11.4 (iOS 18.3; sing-box 1.11.4)', 'singbox'],
    ['SFM/1.10.7 (macOS 15.1; sing-box 1.10.7)', 'singbox'],
    ['SFT/1.11.0 (tvOS 18.2; sing-box 1.11.0)', 'singbox'],
    ['sing-box 1.11.4 (go1.23.6, linux/amd64)', 'singbox'],
    ['karing/1.1.2.606 android', 'singbox'],
    ['curl/8.5.0', 'base64'],
    ['', 'base64'],
  ])('%s → %s', (userAgent, format) => {
    expect(detectFeedFormat({ userAgent, accept: '*/*' })).toBe(format);
  });

  it('serves a browser the HTML page, and a VPN app its format even when it accepts HTML', () => {
    const chrome =
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36';
    expect(detectFeedFormat({ userAgent: chrome, accept: BROWSER_ACCEPT })).toBe('html');
    expect(detectFeedFormat({ userAgent: chrome, accept: '*/*' })).toBe('base64');
    expect(detectFeedFormat({ userAgent: 'clash-verge/v2.2.3', accept: BROWSER_ACCEPT })).toBe('clash');
  });

  it('lets ?format= override the User-Agent, with the usual aliases, in any case', () => {
    const ua = 'clash-verge/v2.2.3';
    expect(detectFeedFormat({ userAgent: ua, format: 'singbox' })).toBe('singbox');
    expect(detectFeedFormat({ userAgent: ua, format: 'sing-box' })).toBe('singbox');
    expect(detectFeedFormat({ userAgent: ua, format: 'BASE64' })).toBe('base64');
    expect(detectFeedFormat({ userAgent: ua, format: 'v2ray' })).toBe('base64');
    expect(detectFeedFormat({ userAgent: 'v2rayNG/1.9.45', format: 'mihomo' })).toBe('clash');
    expect(detectFeedFormat({ userAgent: 'v2rayNG/1.9.45', format: 'html' })).toBe('html');
  });

  it('refuses an unknown ?format= with the list of formats instead of guessing', () => {
    for (const format of ['xml', '', 'clash ', 'a'.repeat(500)]) {
      expect(() => detectFeedFormat({ userAgent: 'v2rayNG/1.9.45', format })).toThrow(UnknownFeedFormatError);
    }
    expect(() => detectFeedFormat({ format: 'xml' })).toThrow(/use one of base64, clash, singbox, html/);
  });
});
