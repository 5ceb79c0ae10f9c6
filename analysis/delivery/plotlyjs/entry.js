// The plotly.js trace types dealtree's charts use (analysis/plotting): scatter
// (in lib/core), bar, heatmap, sunburst and icicle. Add a type here when a
// chart starts using one, and run build.sh.
var Plotly = require('plotly.js/lib/core');
Plotly.register([
  require('plotly.js/lib/bar'),
  require('plotly.js/lib/heatmap'),
  require('plotly.js/lib/sunburst'),
  require('plotly.js/lib/icicle'),
]);
module.exports = Plotly;
