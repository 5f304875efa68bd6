// The Origin rule of the HTTP transport (src/server/http.ts), case by case. The integration tests in
// test/integration/http.test.ts check the same rule end to end (403 or 200 from the running server).
import { describe, expect, it } from 'vitest';
import { isLoopbackOrigin, originAllowed } from '../../src/server/http.js';

const none = new Set<string>();
const listed = new Set(['https://app.example']);

describe('isLoopbackOrigin', () => {
  it.each([
    'http://localhost:3000',
    'http://localhost',
    'http://127.0.0.1:8723',
    'http://[::1]:5173',
    'https://localhost:8443',
    'HTTP://LOCALHOST:1',
    'http://127.0.0.2:80',
  ])('accepts %s', (o) => expect(isLoopbackOrigin(o)).toBe(true));

  it.each([
    'null',
    '',
    'http://evil.example',
    'http://localhost.evil.example',
    'http://127.0.0.1.nip.io:8080',
    'http://evil@localhost:3000', // user info: not an origin a browser sends
    'http://localhost:3000/path',
    'file://localhost',
    'ws://localhost:3000',
    'http://[::2]:80',
    'http://0.0.0.0:3000',
  ])('refuses %s', (o) => expect(isLoopbackOrigin(o)).toBe(false));
});

describe('originAllowed', () => {
  it('lets requests without Origin through (not a browser) on every bind', () => {
    expect(originAllowed(undefined, { loopbackBind: true, allowed: none })).toBe(true);
    expect(originAllowed(undefined, { loopbackBind: false, allowed: none })).toBe(true);
  });

  it('loopback bind: loopback origins pass without a list, others only when listed', () => {
    const rule = { loopbackBind: true, allowed: listed };
    expect(originAllowed('http://localhost:5173', rule)).toBe(true);
    expect(originAllowed('http://127.0.0.1:9', rule)).toBe(true);
    expect(originAllowed('http://[::1]:80', rule)).toBe(true);
    expect(originAllowed('https://app.example', rule)).toBe(true);
    expect(originAllowed('https://app.example/', rule)).toBe(true);
    expect(originAllowed('https://evil.example', rule)).toBe(false);
    expect(originAllowed('null', rule)).toBe(false);
    expect(originAllowed('https://evil.example', { loopbackBind: true, allowed: none })).toBe(false);
  });

  it('non-loopback bind: only listed origins, loopback ones included', () => {
    const rule = { loopbackBind: false, allowed: listed };
    expect(originAllowed('https://app.example', rule)).toBe(true);
    expect(originAllowed('http://localhost:5173', rule)).toBe(false);
    expect(originAllowed('http://127.0.0.1:8723', rule)).toBe(false);
    expect(
      originAllowed('http://localhost:5173', { loopbackBind: false, allowed: new Set(['http://localhost:5173']) }),
    ).toBe(true);
  });
});
