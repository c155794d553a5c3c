// The loaders a site puts in its pages, as the Chromium suites use them.

/** The usual Kissmetrics snippet: queue, key, and the two scripts loaded asynchronously. */
export function kissmetricsSnippet(apiKey: string): string {
  return `
  var _kmq = _kmq || [];
  var _kmk = _kmk || '${apiKey}';
  function _kms(u) {
    setTimeout(function () {
      var d = document, f = d.getElementsByTagName('script')[0], s = d.createElement('script');
      s.type = 'text/javascript'; s.async = true; s.src = u;
      f.parentNode.insertBefore(s, f);
    }, 1);
  }
  _kms('//i.kissmetrics.io/i.js');
  _kms('//scripts.kissmetrics.io/' + _kmk + '.2.js');
`;
}

/** Tapstream's loader: the queue, and the web tracker loaded asynchronously. */
export const TAPSTREAM_SNIPPET = `
  var _tsq = _tsq || [];
  (function () {
    var s = document.createElement('script');
    s.type = 'text/javascript'; s.async = true;
    s.src = '//cdn.tapstream.com/static/js/tapstream.js';
    var x = document.getElementsByTagName('script')[0];
    x.parentNode.insertBefore(s, x);
  })();
`;
