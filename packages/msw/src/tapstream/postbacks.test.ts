import { describe, expect, it } from 'vitest';
import { expandPostbackUrl, type PostbackContext } from './postbacks.js';

const context: PostbackContext = {
  hit: {
    id: 7,
    tracker: 'spring sale',
    created: 1_700_000_000,
    session_id: 'tl-1',
    custom_parameters: { km_identity: 'ab+c/d==', 'utm source': 'mail&news' },
  },
  event: {
    name: 'ios-myapp-install',
    created: 1_700_000_050,
    session: 'uuid-1',
    ip: '203.0.113.9',
    custom_parameters: { plan: 'pro' },
  },
};

describe('expandPostbackUrl', () => {
  it('fills every documented macro with its percent-encoded value', () => {
    const url = expandPostbackUrl(
      'https://x.test/pb?id=TS{hit.custom_parameters.km_identity}&t=TS{hit.tracker.slug}' +
        '&hc=TS{hit.created}&hs=TS{hit.session_id}&hid=TS{hit.id}&n=TS{event.name}' +
        '&ts=TS{event.timestamp}&ip=TS{event.ip}&s=TS{event.session}' +
        '&p=TS{event.custom_parameters.plan}&u=TS{hit.custom_parameters.utm source}',
      context,
    );
    expect(url).toBe(
      'https://x.test/pb?id=ab%2Bc%2Fd%3D%3D&t=spring%20sale&hc=1700000000&hs=tl-1&hid=7' +
        '&n=ios-myapp-install&ts=1700000050&ip=203.0.113.9&s=uuid-1&p=pro&u=mail%26news',
    );
    expect(new URL(url).searchParams.get('id')).toBe('ab+c/d==');
  });

  it('turns a missing value and an unknown macro into an empty string', () => {
    expect(
      expandPostbackUrl(
        'https://x.test/?a=TS{hit.custom_parameters.nope}&b=TS{event.custom_parameters.nope}&c=TS{no.such.macro}&d=TS{hit.custom_parameters.toString}',
        context,
      ),
    ).toBe('https://x.test/?a=&b=&c=&d=');
  });

  it('leaves text that is not a macro as it is', () => {
    expect(expandPostbackUrl('https://x.test/TS/{x}?q=TS{', context)).toBe(
      'https://x.test/TS/{x}?q=TS{',
    );
  });
});
