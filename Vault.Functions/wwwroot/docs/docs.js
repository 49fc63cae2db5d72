// Renders the served OpenAPI document with Redoc's standalone bundle, copied from node_modules at build time.
// System fonts only, and the document from this origin: the page fetches nothing from elsewhere (its CSP forbids it).
(function () {
  var systemFont = 'system-ui, -apple-system, "Segoe UI", sans-serif';
  Redoc.init('/v1/openapi.json', {
    expandResponses: '200,201',
    jsonSampleExpandLevel: 3,
    sortTagsAlphabetically: false,
    theme: {
      typography: {
        fontFamily: systemFont,
        headings: { fontFamily: systemFont },
        code: { fontFamily: 'ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace' },
      },
    },
  }, document.getElementById('reference'));
})();
