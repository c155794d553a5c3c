import { fillScript, READ_COOKIE_FUNCTION } from '../http/index.js';

/** Options of {@link tapstreamTrackerScript}. */
export interface TapstreamTrackerOptions {
  /** Base URL hits are sent to. Default `https://api.tapstream.com`. */
  readonly apiBase?: string;
  /** The first-party cookie that keeps the click timeline id. Default `_tsclick` (our name). */
  readonly cookieName?: string;
  /** The tracker `trackPage` fires a hit on. Default `javascript_tracker` (inferred). */
  readonly pageTracker?: string;
}

/** Tapstream's API host. */
export const TAPSTREAM_API = 'https://api.tapstream.com';

/** The cookie the emulated web tracker keeps the click timeline in (Tapstream never published its own). */
export const TAPSTREAM_TIMELINE_COOKIE = '_tsclick';

// The web tracker, in plain ES2017. Options are filled in as JSON.
const TRACKER = `(function (window, document) {
  'use strict';
  if (window._tsq && window._tsq.emulated === true) return;

  var API = __API__;
  var COOKIE = __COOKIE__;
  var PAGE_TRACKER = __PAGE_TRACKER__;
  var YEAR = 365 * 24 * 3600;
  var account = null;
  var customParameters = [];
  var inFlight = [];

  function complain(message) {
    window.console.error('[emulated Tapstream] ' + message);
  }

  ${READ_COOKIE_FUNCTION}

  // The click timeline: a random id kept in a first-party cookie and sent with every hit.
  var timeline = readCookie(COOKIE);
  if (!timeline) {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    timeline = '';
    for (var b = 0; b < bytes.length; b++) timeline += (bytes[b] + 256).toString(16).slice(1);
    document.cookie = COOKIE + '=' + encodeURIComponent(timeline) + '; path=/; max-age=' + YEAR + '; SameSite=Lax';
  }

  function fireHit(tracker, tags) {
    if (account === null) {
      complain('fireHit("' + tracker + '") before setAccountName: the hit was not sent');
      return;
    }
    if (typeof tracker !== 'string' || tracker === '') {
      complain('fireHit needs a tracker name');
      return;
    }
    var list = Object.prototype.toString.call(tags) === '[object Array]' ? tags : [];
    var query = ['__ts=' + encodeURIComponent(list.join(',')), '__tl=' + encodeURIComponent(timeline)];
    for (var i = 0; i < customParameters.length; i++) {
      query.push(encodeURIComponent('custom-' + customParameters[i][0]) + '=' + encodeURIComponent(customParameters[i][1]));
    }
    var beacon = new Image(1, 1);
    inFlight.push(beacon);
    beacon.onload = beacon.onerror = function () {
      inFlight.splice(inFlight.indexOf(beacon), 1);
    };
    beacon.src = API + '/' + encodeURIComponent(account) + '/hit/' + encodeURIComponent(tracker) + '.gif?' + query.join('&');
  }

  var commands = {
    setAccountName: function (name) {
      account = String(name);
    },
    addCustomParameter: function (key, value) {
      key = String(key);
      value = value === null || value === undefined ? '' : String(value);
      for (var i = 0; i < customParameters.length; i++) {
        if (customParameters[i][0] === key) {
          customParameters[i][1] = value;
          return;
        }
      }
      customParameters.push([key, value]);
    },
    fireHit: fireHit,
    trackPage: function () {
      fireHit(PAGE_TRACKER, []);
    },
    attachCallback: function (type, callback) {
      if (type !== 'init' || typeof callback !== 'function') {
        complain('attachCallback supports only "init" with a function');
        return;
      }
      callback('init', timeline);
    },
    setSessionFormFieldId: function (id) {
      var fill = function () {
        var field = document.getElementById(id);
        if (field) field.value = timeline;
        else complain('setSessionFormFieldId: no element with id "' + id + '"');
      };
      if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', fill);
      else fill();
    },
  };

  function run(command) {
    try {
      if (!command || typeof command.length !== 'number') {
        complain('ignored a _tsq item that is not a command array');
        return;
      }
      var method = Object.prototype.hasOwnProperty.call(commands, command[0]) ? commands[command[0]] : null;
      if (!method) {
        complain('_tsq command "' + command[0] + '" is not emulated');
        return;
      }
      method.apply(null, Array.prototype.slice.call(command, 1));
    } catch (error) {
      window.setTimeout(function () {
        throw error;
      }, 0);
    }
  }

  var queued = Object.prototype.toString.call(window._tsq) === '[object Array]' ? window._tsq : [];
  window._tsq = {
    emulated: true,
    push: function () {
      for (var i = 0; i < arguments.length; i++) run(arguments[i]);
      return 0;
    },
  };
  for (var i = 0; i < queued.length; i++) run(queued[i]);
})(window, document);
`;

/**
 * The source of the emulated Tapstream web tracker (`cdn.tapstream.com/static/js/tapstream.js`):
 * runs the `_tsq` queue (`setAccountName`, `addCustomParameter`, `fireHit`, `trackPage`,
 * `attachCallback('init', fn)`, `setSessionFormFieldId`), keeps a random click-timeline id in a
 * first-party cookie, and sends each hit as an image beacon:
 * `<apiBase>/<account>/hit/<tracker>.gif?__ts=<tags>&__tl=<timeline>&custom-<key>=<value>...`.
 */
export function tapstreamTrackerScript(options: TapstreamTrackerOptions = {}): string {
  return fillScript(TRACKER, {
    API: (options.apiBase ?? TAPSTREAM_API).replace(/\/+$/, ''),
    COOKIE: options.cookieName ?? TAPSTREAM_TIMELINE_COOKIE,
    PAGE_TRACKER: options.pageTracker ?? 'javascript_tracker',
  });
}
