import { describe, expect, it } from 'vitest';
import { searchEngineHit } from './search-engine.js';

const hit = (referrer: string) => searchEngineHit(new URL(referrer));

describe('search engine referrers', () => {
  it.each([
    ['https://www.google.com/search?q=kissmetrics+funnels', 'Google', 'kissmetrics funnels'],
    ['https://www.google.co.uk/search?q=shoes', 'Google', 'shoes'],
    ['https://google.com.au/', 'Google', undefined],
    ['https://www.bing.com/search?q=shoes&form=QBLH', 'Bing', 'shoes'],
    ['https://uk.search.yahoo.com/search?p=shoes', 'Yahoo', 'shoes'],
    ['https://duckduckgo.com/?q=shoes', 'DuckDuckGo', 'shoes'],
    ['https://html.duckduckgo.com/html/', 'DuckDuckGo', undefined],
    ['https://www.baidu.com/s?wd=%E9%9E%8B', 'Baidu', '鞋'],
    ['https://yandex.ru/search/?text=shoes', 'Yandex', 'shoes'],
    ['https://www.ecosia.org/search?q=shoes', 'Ecosia', 'shoes'],
    ['https://www.ask.com/web?q=shoes', 'Ask', 'shoes'],
    ['https://search.aol.com/aol/search?q=shoes', 'AOL', 'shoes'],
    ['https://search.naver.com/search.naver?query=shoes', 'Naver', 'shoes'],
  ])('%s is %s with terms %j', (referrer, engine, terms) => {
    expect(hit(referrer)).toEqual(
      terms === undefined
        ? { 'Search Engine': engine }
        : { 'Search Engine': engine, 'Search Terms': terms },
    );
  });

  it.each([
    'https://mail.google.com/mail/u/0/',
    'https://docs.google.com/document/d/1',
    'https://notgoogle.com/?q=x',
    'https://google.example.com/?q=x',
    'https://mybing.com/?q=x',
    'https://shop.example/?q=x',
  ])('%s is no search engine', (referrer) => {
    expect(hit(referrer)).toBeUndefined();
  });
});
