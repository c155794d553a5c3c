import { fillScript, READ_COOKIE_FUNCTION } from '../http/index.js';

/** Options of {@link kissmetricsLibraryScript}. */
export interface KissmetricsLibraryOptions {
  /**
   * Base URL the library sends `/e`, `/s` and `/a` to. Default `https://trk.kissmetrics.io`; a
   * path is kept, for a first-party proxy.
   */
  readonly endpoint?: string;
  /**
   * Record the library's automatic events on each page load (see {@link LibraryAutoEvents}):
   * `true` for all of them, or an object where `false` leaves one out. Default `false`, so tests
   * see only what they pushed.
   */
  readonly autoEvents?: boolean | LibraryAutoEvents;
  /** Record `Visited Site`: the same as `autoEvents: { visitedSite: true }` alone. */
  readonly visitedSite?: boolean;
  /**
   * Bake in an API key, set as `window._kmk` when the page has none: what the per-product
   * `<key>.2.js` script does. The core `i.js` has none.
   */
  readonly apiKey?: string;
}

/**
 * The Kissmetrics JS library's automatic events, each also turned off by the page's global:
 *
 * - `visitedSite`: `Visited Site` when a visit starts (no activity for 30 minutes), with `URL`,
 *   `Referrer` (`KM_REFERRER`, else `document.referrer`, else `Direct`) and, for a browser seen
 *   before or a named visitor, `Returning: 1`. `KM_SKIP_VISITED_SITE`.
 * - `searchEngineHit`: `Search Engine Hit` when the referrer is a search engine's page (Google,
 *   Bing, Yahoo, DuckDuckGo, Baidu, Yandex, Ecosia, Ask, AOL, Naver), with `Search Engine` and,
 *   when present, `Search Terms`; not for a Google Ads click (`gclid`). `KM_SKIP_SEARCH_ENGINE`.
 * - `adCampaignHit`: `Ad Campaign Hit` when the page's URL has `utm_*` parameters or a `gclid`,
 *   with `Campaign Source`, `Campaign Medium`, `Campaign Name`, `Campaign Terms`,
 *   `Campaign Content` (those present) and `URL`. `KM_SKIP_UTM`.
 */
export interface LibraryAutoEvents {
  readonly visitedSite?: boolean;
  readonly searchEngineHit?: boolean;
  readonly adCampaignHit?: boolean;
}

/** The tracking host the real library sends to. */
export const KISSMETRICS_TRACKING_ENDPOINT = 'https://trk.kissmetrics.io';

// The library, in plain ES2017 for any browser a test runs. Options are filled in as JSON.
const LIBRARY = `(function (window, document) {
  'use strict';
  var API_KEY = __API_KEY__;
  if (API_KEY !== null && !window._kmk) window._kmk = API_KEY;
  // i.js and <key>.2.js both carry the library: the second one to load only sets the key.
  if (window.KM && window.KM.emulated === true) return;

  var ENDPOINT = __ENDPOINT__;
  var AUTO_EVENTS = __AUTO_EVENTS__;
  var FIVE_YEARS = 5 * 365 * 24 * 3600;
  var SESSION = 30 * 60;
  var VALUE_LENGTH = 512;
  // Today's search engines: [name, host after "www.", query parameter of the terms].
  var ENGINES = [
    ['Google', /^google\\.[a-z]{2,3}(\\.[a-z]{2})?$/, 'q'],
    ['Bing', /^(cn\\.)?bing\\.com$/, 'q'],
    ['Yahoo', /^([a-z]{2}\\.)?search\\.yahoo\\.(com|co\\.jp)$/, 'p'],
    ['DuckDuckGo', /^((html|lite)\\.)?duckduckgo\\.com$/, 'q'],
    ['Baidu', /^(m\\.)?baidu\\.com$/, 'wd'],
    ['Yandex', /^yandex\\.[a-z]{2,3}$/, 'text'],
    ['Ecosia', /^ecosia\\.org$/, 'q'],
    ['Ask', /^ask\\.com$/, 'q'],
    ['AOL', /^search\\.aol\\.com$/, 'q'],
    ['Naver', /^search\\.naver\\.com$/, 'query'],
  ];
  var CAMPAIGN = [
    ['utm_source', 'Campaign Source'],
    ['utm_medium', 'Campaign Medium'],
    ['utm_campaign', 'Campaign Name'],
    ['utm_term', 'Campaign Terms'],
    ['utm_content', 'Campaign Content'],
  ];
  var inFlight = [];

  ${READ_COOKIE_FUNCTION}

  function writeCookie(name, value, maxAge) {
    var cookie = name + '=' + encodeURIComponent(value) + '; path=/; max-age=' + maxAge + '; SameSite=Lax';
    if (window.KM_COOKIE_DOMAIN) cookie += '; domain=' + window.KM_COOKIE_DOMAIN;
    document.cookie = cookie;
  }

  // Random Base64 like the real anonymous ids; '+' and '/' are forced in so that a client that
  // forgets to percent-encode always shows it ('=' is the padding).
  function newAnonymousId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    var binary = '';
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    var id = window.btoa(binary);
    return id.slice(0, 4) + '+' + id.slice(5, 9) + '/' + id.slice(10);
  }

  var anonymous = readCookie('km_ai');
  if (!anonymous) {
    anonymous = newAnonymousId();
    writeCookie('km_ai', anonymous, FIVE_YEARS);
  }
  var named = readCookie('km_ni') || null;

  // A visit lasts while the browser is active: km_vs holds the last activity (ms), kept 30 minutes.
  // Judged before the queue runs, since every request counts as activity.
  var loadedAt = Date.now();
  var lastActive = Number(readCookie('km_vs'));
  var newVisit = !(lastActive > 0) || loadedAt - lastActive >= SESSION * 1000;
  var returning = readCookie('km_lv') !== null || named !== null;
  function touchVisit() {
    writeCookie('km_vs', String(Date.now()), SESSION);
  }
  touchVisit();
  if (newVisit) writeCookie('km_lv', String(Math.floor(loadedAt / 1000)), FIVE_YEARS);

  function identity() {
    return named || anonymous;
  }

  function seconds() {
    return Math.floor(Date.now() / 1000);
  }

  function complain(message) {
    window.console.error('[emulated Kissmetrics] ' + message);
  }

  function send(path, params, callback) {
    var query = [];
    if (window._kmk !== undefined && window._kmk !== null && window._kmk !== '') {
      query.push('_k=' + encodeURIComponent(String(window._kmk)));
    }
    for (var i = 0; i < params.length; i++) {
      query.push(encodeURIComponent(params[i][0]) + '=' + encodeURIComponent(params[i][1]));
    }
    touchVisit();
    var beacon = new Image(1, 1);
    inFlight.push(beacon);
    beacon.onload = beacon.onerror = function () {
      inFlight.splice(inFlight.indexOf(beacon), 1);
      if (typeof callback === 'function') callback();
    };
    beacon.src = ENDPOINT + path + '?' + query.join('&');
  }

  // Properties as wire pairs; _t/_d inside them become the row's time, any other _ key is refused.
  function rowParams(props) {
    var pairs = [];
    var time = null;
    var timeFlag = null;
    if (props && typeof props === 'object') {
      for (var key in props) {
        if (!Object.prototype.hasOwnProperty.call(props, key)) continue;
        var value = props[key];
        if (value === null || value === undefined || typeof value === 'function' || typeof value === 'symbol') continue;
        if (key === '_t') time = String(value);
        else if (key === '_d') timeFlag = String(value);
        else if (key.charAt(0) === '_') complain('property "' + key + '" is a control parameter: not sent');
        else pairs.push([key, String(value)]);
      }
    }
    if (time === null) return [['_t', String(seconds())], ['_d', '1']].concat(pairs);
    var timed = [['_t', time]];
    if (timeFlag !== null) timed.push(['_d', timeFlag]);
    return timed.concat(pairs);
  }

  function clearIdentity() {
    named = null;
    writeCookie('km_ni', '', 0);
    anonymous = newAnonymousId();
    writeCookie('km_ai', anonymous, FIVE_YEARS);
  }

  var KM = {
    emulated: true,
    i: identity,
    ts: seconds,
    record: function (name, props, callback) {
      if (typeof props === 'function') {
        callback = props;
        props = undefined;
      }
      if (typeof name !== 'string' || name === '') {
        complain('record needs an event name');
        return;
      }
      send('/e', [['_p', identity()], ['_n', name]].concat(rowParams(props)), callback);
    },
    set: function (props, callback) {
      send('/s', [['_p', identity()]].concat(rowParams(props)), callback);
    },
    identify: function (id) {
      if (id === null || id === undefined || id === '') {
        clearIdentity();
        return;
      }
      id = String(id);
      if (id === identity()) return;
      // Only an anonymous visitor is joined to the named identity; a second name is another person.
      var previous = named ? null : anonymous;
      named = id;
      writeCookie('km_ni', id, FIVE_YEARS);
      if (previous !== null) send('/a', [['_p', previous], ['_n', id]]);
    },
    alias: function (first, second) {
      if (first === null || first === undefined || first === '' || second === null || second === undefined || second === '') {
        complain('alias needs two identities');
        return;
      }
      send('/a', [['_p', String(first)], ['_n', String(second)]]);
    },
    clearIdentity: clearIdentity,
  };

  function run(command) {
    try {
      if (typeof command === 'function') {
        command.call(KM);
        return;
      }
      if (!command || typeof command.length !== 'number') {
        complain('ignored a _kmq item that is neither a command array nor a function');
        return;
      }
      var method = Object.prototype.hasOwnProperty.call(KM, command[0]) && command[0] !== 'emulated' ? KM[command[0]] : null;
      if (typeof method !== 'function') {
        complain('_kmq command "' + command[0] + '" is not emulated');
        return;
      }
      method.apply(KM, Array.prototype.slice.call(command, 1));
    } catch (error) {
      // Report like an uncaught error, without stopping the rest of the queue.
      window.setTimeout(function () {
        throw error;
      }, 0);
    }
  }

  var queued = Object.prototype.toString.call(window._kmq) === '[object Array]' ? window._kmq : [];
  window.KM = KM;
  window._kmq = {
    push: function () {
      for (var i = 0; i < arguments.length; i++) run(arguments[i]);
      return 0;
    },
  };
  for (var i = 0; i < queued.length; i++) run(queued[i]);

  function readUrl(text) {
    try {
      return text ? new URL(text) : null;
    } catch (error) {
      return null;
    }
  }

  // Values are cut to the 512 characters Kissmetrics keeps, never inside a character.
  function recordAuto(name, props) {
    for (var key in props) {
      if (typeof props[key] === 'string') props[key] = Array.from(props[key]).slice(0, VALUE_LENGTH).join('');
    }
    KM.record(name, props);
  }

  var href = window.location.href;
  var referrer = window.KM_REFERRER || document.referrer || '';
  var landing = readUrl(href);
  var from = readUrl(referrer);
  if (AUTO_EVENTS.visitedSite && !window.KM_SKIP_VISITED_SITE && newVisit) {
    var visit = { URL: href, Referrer: referrer || 'Direct' };
    if (returning) visit.Returning = 1;
    recordAuto('Visited Site', visit);
  }
  if (AUTO_EVENTS.searchEngineHit && !window.KM_SKIP_SEARCH_ENGINE && from && !(landing && landing.searchParams.get('gclid'))) {
    var host = from.hostname.replace(/^www\\./, '');
    for (var e = 0; e < ENGINES.length; e++) {
      if (!ENGINES[e][1].test(host)) continue;
      var search = { 'Search Engine': ENGINES[e][0] };
      var terms = from.searchParams.get(ENGINES[e][2]);
      if (terms) search['Search Terms'] = terms;
      recordAuto('Search Engine Hit', search);
      break;
    }
  }
  if (AUTO_EVENTS.adCampaignHit && !window.KM_SKIP_UTM && landing) {
    var campaign = {};
    var tagged = !!landing.searchParams.get('gclid');
    for (var c = 0; c < CAMPAIGN.length; c++) {
      var value = landing.searchParams.get(CAMPAIGN[c][0]);
      if (value) {
        campaign[CAMPAIGN[c][1]] = value;
        tagged = true;
      }
    }
    if (tagged) {
      campaign.URL = href;
      recordAuto('Ad Campaign Hit', campaign);
    }
  }
})(window, document);
`;

/**
 * The source of the emulated Kissmetrics JS library, as `i.kissmetrics.io/i.js` serves it (or, with
 * `apiKey`, `scripts.kissmetrics.io/<key>.2.js`). It runs the `_kmq` queue (`record`, `set`,
 * `identify`, `alias`, `clearIdentity`, functions), defines `window.KM` (`i()`, `ts()` and the same
 * commands), keeps the anonymous id in the `km_ai` cookie and the named one in `km_ni`, and sends
 * `/e`, `/s` and `/a` as image beacons with `_k` from `window._kmk`. With `autoEvents` it records
 * the library's automatic events on each load, after the queued commands.
 */
export function kissmetricsLibraryScript(options: KissmetricsLibraryOptions = {}): string {
  const endpoint = (options.endpoint ?? KISSMETRICS_TRACKING_ENDPOINT).replace(/\/+$/, '');
  const { autoEvents = false } = options;
  const on = (name: keyof LibraryAutoEvents) =>
    typeof autoEvents === 'boolean' ? autoEvents : autoEvents[name] !== false;
  return fillScript(LIBRARY, {
    API_KEY: options.apiKey ?? null,
    ENDPOINT: endpoint,
    AUTO_EVENTS: {
      visitedSite: options.visitedSite === true || on('visitedSite'),
      searchEngineHit: on('searchEngineHit'),
      adCampaignHit: on('adCampaignHit'),
    },
  });
}
