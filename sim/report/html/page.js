/* tpusim's HTML report: draws the embedded data object (sim/report/html.h, docs/html.md).
 * No network, no libraries: plain DOM, SVG and one canvas. This file must not contain the two
 * characters "<" and "/" in a row (it is inlined in a script element). */
(function () {
  'use strict';
  var T0 = (window.performance && performance.now) ? performance.now() : Date.now();
  var D = JSON.parse(document.getElementById('tpusim-data').textContent);
  /* the SVG namespace (a name, not an address: spelled in parts so the page has no URL in it) */
  var SVGNS = ['http:', '', 'www.w3.org', '2000', 'svg'].join('/');
  var CATS = ['compute', 'quantization', 'pipeline', 'on_chip_data', 'off_chip_memory', 'synchronization',
              'overhead', 'idle'];
  var CAT_COLOR = {compute: '#2e7d32', quantization: '#9ccc65', pipeline: '#1e88e5', on_chip_data: '#8e24aa',
                   off_chip_memory: '#e53935', synchronization: '#fb8c00', overhead: '#6d4c41', idle: '#bdbdbd'};

  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    setAttrs(e, attrs);
    addKids(e, kids);
    return e;
  }
  function sv(tag, attrs, kids) {
    var e = document.createElementNS(SVGNS, tag);
    setAttrs(e, attrs);
    addKids(e, kids);
    return e;
  }
  function setAttrs(e, attrs) {
    if (!attrs) return;
    for (var k in attrs) {
      if (!Object.prototype.hasOwnProperty.call(attrs, k) || attrs[k] === undefined || attrs[k] === null) continue;
      if (k === 'text') e.textContent = attrs[k];
      else if (k === 'cls') e.setAttribute('class', attrs[k]);
      else e.setAttribute(k, attrs[k]);
    }
  }
  function addKids(e, kids) {
    if (kids === undefined || kids === null) return;
    if (!Array.isArray(kids)) kids = [kids];
    for (var i = 0; i < kids.length; i++) {
      var k = kids[i];
      if (k === null || k === undefined) continue;
      e.appendChild(typeof k === 'string' || typeof k === 'number' ? document.createTextNode(String(k)) : k);
    }
  }
  function note(parent, text) { parent.appendChild(el('div', {cls: 'note', text: text})); }
  function num(x) {
    if (typeof x === 'number') return x;
    if (x === 'NaN') return NaN;
    if (x === 'Infinity') return Infinity;
    if (x === '-Infinity') return -Infinity;
    return Number(x);
  }
  /* a figure with an SI prefix: 1.98 T */
  function si(x, unit) {
    if (x === null || x === undefined || !isFinite(x)) return String(x);
    var p = ['', 'k', 'M', 'G', 'T', 'P', 'E'], i = 0, v = Math.abs(x);
    while (v >= 1000 && i < p.length - 1) { v /= 1000; i++; }
    return (x < 0 ? '-' : '') + (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)) + ' ' + p[i] + (unit || '');
  }
  function pct(x) { return (100 * x).toFixed(1) + '%'; }
  function shortNum(v) {
    if (typeof v !== 'number') return String(v);
    if (Number.isInteger(v)) return String(v);
    var s = v.toPrecision(5);
    if (s.indexOf('e') < 0 && s.indexOf('.') >= 0) s = s.replace(/0+$/, '').replace(/\.$/, '');
    return s;
  }
  function param(name) {
    var re = new RegExp('[#?&]' + name + '=([0-9]+)');
    var m = re.exec(location.hash) || re.exec(location.search);
    return m ? parseInt(m[1], 10) : null;
  }

  var R = D.report;
  var runs = [];
  if (R) {
    if (R.tpu) runs.push({side: 'TPU', run: R.tpu});
    if (R.gpu) runs.push({side: 'GPU', run: R.gpu});
  }

  /* ---- the command and the machine -------------------------------------------------------- */
  function quoteArg(a) { return /^[A-Za-z0-9_.,:=+\/@%-]+$/.test(a) ? a : "'" + a.replace(/'/g, "'\\''") + "'"; }
  document.getElementById('command').textContent = (D.command || []).map(quoteArg).join(' ');
  if (R && R.command) document.getElementById('title').textContent = 'tpusim ' + R.command + ' report';

  function machineSection() {
    var body = document.getElementById('machine-body');
    if (!R) { note(body, 'no report embedded'); return; }
    var figs = [
      ['machine', 'machine', null], ['dtype', 'dtype', null], ['engine', 'engine', null],
      ['dataflow', 'dataflow', null], ['cycles', 'cycles', null], ['clock_hz', 'clock', 'Hz'],
      ['seconds', 'time', 's'], ['instructions', 'instructions', null], ['macs', 'MACs', null],
      ['peak_macs_per_cycle', 'peak MACs per cycle', null], ['compute_units', 'compute units', null],
      ['compute_units_used', 'compute units used', null], ['utilization', 'utilization', '%'],
      ['ops_per_s', 'achieved', 'ops/s'], ['peak_ops_per_s', 'peak', 'ops/s'],
      ['intensity_ops_per_byte', 'arithmetic intensity', 'ops/byte'],
      ['roofline_ops_per_s', 'roofline at this intensity', 'ops/s'], ['offchip_bytes', 'off-chip bytes', 'B']];
    runs.forEach(function (rr) {
      var r = rr.run, t = el('table', {cls: 'figs', 'data-side': rr.side});
      body.appendChild(el('h3', {text: rr.side + (r.machine ? ': ' + r.machine : '')}));
      figs.forEach(function (f) {
        if (!(f[0] in r)) return;
        var v = r[f[0]], shown;
        if (v === null) shown = 'none (ideal memory)';
        else if (typeof v !== 'number') shown = String(v);
        else if (f[2] === '%') shown = pct(v);
        else if (f[2]) shown = si(v, f[2]) + '  (' + v + ')';
        else shown = String(v);
        t.appendChild(el('tr', null, [el('td', {text: f[1]}),
          el('td', {'data-figure': f[0], 'data-value': v === null ? 'null' : String(v), text: shown})]));
      });
      if (r.gemm && r.gemm.m !== undefined)
        t.appendChild(el('tr', null, [el('td', {text: 'GEMM'}),
          el('td', {text: 'C[' + r.gemm.m + ' x ' + r.gemm.n + '] = A[' + r.gemm.m + ' x ' + r.gemm.k + '] * B[' +
                    r.gemm.k + ' x ' + r.gemm.n + ']'})]));
      if (r.config)
        t.appendChild(el('tr', null, [el('td', {text: 'config'}),
          el('td', {text: r.config.source + (r.config.overrides && Object.keys(r.config.overrides).length ?
            ' with ' + Object.keys(r.config.overrides).map(function (k) { return k + '=' + r.config.overrides[k]; }).join(', ') : '')})]));
      if (r.memory) {
        Object.keys(r.memory).forEach(function (lv) {
          var m = r.memory[lv];
          t.appendChild(el('tr', null, [el('td', {text: 'memory ' + lv + ' (' + m.kind + ')'}),
            el('td', {text: si(m.bus_bytes, 'B') + ' moved, peak ' + (m.peak_bytes_per_s === null ? 'unbounded' : si(m.peak_bytes_per_s, 'B/s')) +
              ', bandwidth utilization ' + pct(m.bandwidth_utilization || 0)})]));
        });
      }
      if (r.check) t.appendChild(el('tr', null, [el('td', {text: 'check'}), el('td', {'data-figure': 'check', text: r.check})]));
      body.appendChild(t);
      if (r.bound && r.bound.sentence) body.appendChild(el('p', {'data-figure': 'bound', text: r.bound.sentence}));
    });
    if (R.compare) body.appendChild(el('p', {cls: 'muted', text: 'compare: ' + JSON.stringify(R.compare.utilization || R.compare)}));
  }

  /* ---- cycles by category ----------------------------------------------------------------- */
  function computeCats(r) {
    var units = r.units || {}, names = Object.keys(units), cat = {}, n = 0, total = 0;
    var comp = names.filter(function (u) { return units[u].kind === 'mxu' || units[u].kind === 'sm'; });
    var work = comp.filter(function (u) { return units[u].macs > 0; });
    if (work.length) comp = work;
    CATS.forEach(function (c) { cat[c] = 0; });
    comp.forEach(function (u) {
      var bc = units[u].cycles_by_category || {};
      n++;
      CATS.forEach(function (c) { cat[c] += bc[c] || 0; total += bc[c] || 0; });
    });
    return {cat: cat, total: total, units: n, all: names.filter(function (u) { return units[u].kind === 'mxu' || units[u].kind === 'sm'; }).length};
  }
  function categoriesSection() {
    var body = document.getElementById('categories-body');
    if (!runs.length) { note(body, 'no run in the report'); return; }
    body.appendChild(el('p', {cls: 'muted', text: 'The compute units that did MACs (all of them if none did), their cycles summed by comparison category (docs/output.md): the same sum as the text report\u2019s \u201cby category\u201d line.'}));
    var W = 900, H = 34 * runs.length + 10, svg = sv('svg', {width: '100%', viewBox: '0 0 ' + W + ' ' + H, 'data-chart': 'categories'});
    runs.forEach(function (rr, i) {
      var c = computeCats(rr.run), x = 110, y = 6 + 34 * i, w = W - 120;
      svg.appendChild(sv('text', {x: 0, y: y + 17, text: rr.side + ' (' + c.units + ' unit' + (c.units === 1 ? '' : 's') + ')'}));
      CATS.forEach(function (k) {
        if (!c.total || !c.cat[k]) return;
        var dw = w * c.cat[k] / c.total;
        svg.appendChild(sv('rect', {x: x, y: y, width: Math.max(dw, 0.5), height: 24, fill: CAT_COLOR[k],
          'data-side': rr.side, 'data-cat': k, 'data-cycles': c.cat[k]},
          sv('title', {text: rr.side + ' ' + k + ': ' + c.cat[k] + ' cycles (' + pct(c.cat[k] / c.total) + ')'})));
        if (dw > 60) svg.appendChild(sv('text', {x: x + 4, y: y + 16, fill: '#fff', style: 'fill:#fff', text: k + ' ' + pct(c.cat[k] / c.total)}));
        x += dw;
      });
    });
    body.appendChild(svg);
    body.appendChild(el('div', {cls: 'legend'}, CATS.map(function (k) {
      return el('span', null, [el('i', {style: 'background:' + CAT_COLOR[k]}), k]);
    })));
    var t = el('table', {cls: 'figs'});
    t.appendChild(el('tr', null, [el('td', {text: 'category'})].concat(runs.map(function (rr) { return el('td', {text: rr.side}); }))));
    var cs = runs.map(function (rr) { return computeCats(rr.run); });
    CATS.forEach(function (k) {
      t.appendChild(el('tr', null, [el('td', {text: k})].concat(cs.map(function (c) {
        return el('td', {text: c.total ? c.cat[k] + ' (' + pct(c.cat[k] / c.total) + ')' : '0'});
      }))));
    });
    body.appendChild(t);
  }

  /* ---- roofline ------------------------------------------------------------------------- */
  function roofSection() {
    var body = document.getElementById('roofline-body');
    if (!runs.length) { note(body, 'no run in the report'); return; }
    var pts = [], roofs = [];
    runs.forEach(function (rr) {
      var r = rr.run, bw = 0;
      Object.keys(r.memory || {}).forEach(function (lv) {
        var m = r.memory[lv];
        if (m.kind === 'off_chip' && m.peak_bytes_per_s) bw += m.peak_bytes_per_s;
      });
      roofs.push({side: rr.side, peak: r.peak_ops_per_s, bw: bw});
      if (r.intensity_ops_per_byte !== null && r.intensity_ops_per_byte !== undefined && r.ops_per_s > 0)
        pts.push({label: rr.side + ' run', x: r.intensity_ops_per_byte, y: r.ops_per_s, run: true});
      else
        body.appendChild(el('p', {cls: 'muted', text: rr.side + ': no off-chip traffic recorded (ideal memory), so the run has no intensity; achieved ' + si(r.ops_per_s, 'ops/s') + ' of ' + si(r.peak_ops_per_s, 'ops/s') + ' peak.'}));
      (r.layers || []).forEach(function (L) {
        var ib = (L.dtype === 'int8' ? 1 : 2), bytes = ib * (L.m * L.k + L.k * L.n) + 4 * L.m * L.n;
        if (L.ops_per_s > 0 && bytes > 0)
          pts.push({label: L.name, x: 2 * L.m * L.n * L.k / bytes, y: L.ops_per_s, run: false});
      });
    });
    if (runs.some(function (rr) { return rr.run.layers; }))
      body.appendChild(el('p', {cls: 'muted', text: 'Layers are placed at their GEMM\u2019s least-traffic intensity, 2MNK / (bytes of A, B and C, C as 32-bit): the page has no per-layer traffic; the whole run\u2019s point uses the measured off-chip bytes.'}));
    var W = 700, H = 380, ml = 70, mb = 40, mt = 10, mr = 20;
    var xs = pts.map(function (p) { return p.x; }), ys = pts.map(function (p) { return p.y; });
    roofs.forEach(function (f) { if (f.bw && f.peak) xs.push(f.peak / f.bw); if (f.peak) ys.push(f.peak); });
    if (!xs.length) xs = [1];
    if (!ys.length) { note(body, 'no figures to draw'); return; }
    var x0 = Math.pow(10, Math.floor(Math.log10(Math.min.apply(null, xs)) - 1)), x1 = Math.pow(10, Math.ceil(Math.log10(Math.max.apply(null, xs)) + 1));
    var y0 = Math.pow(10, Math.floor(Math.log10(Math.min.apply(null, ys)) - 1)), y1 = Math.pow(10, Math.ceil(Math.log10(Math.max.apply(null, ys)) + 0.3));
    function X(v) { return ml + (W - ml - mr) * (Math.log10(v) - Math.log10(x0)) / (Math.log10(x1) - Math.log10(x0)); }
    function Y(v) { return H - mb - (H - mb - mt) * (Math.log10(v) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0)); }
    var svg = sv('svg', {width: W, height: H, viewBox: '0 0 ' + W + ' ' + H, 'data-chart': 'roofline'});
    svg.appendChild(sv('rect', {x: ml, y: mt, width: W - ml - mr, height: H - mb - mt, fill: '#fafbfc', stroke: '#c9ced6'}));
    for (var e = Math.log10(x0); e <= Math.log10(x1) + 1e-9; e++) {
      svg.appendChild(sv('line', {x1: X(Math.pow(10, e)), x2: X(Math.pow(10, e)), y1: mt, y2: H - mb, stroke: '#eceff3'}));
      svg.appendChild(sv('text', {x: X(Math.pow(10, e)) - 10, y: H - mb + 14, text: si(Math.pow(10, e))}));
    }
    for (e = Math.log10(y0); e <= Math.log10(y1) + 1e-9; e++) {
      svg.appendChild(sv('line', {x1: ml, x2: W - mr, y1: Y(Math.pow(10, e)), y2: Y(Math.pow(10, e)), stroke: '#eceff3'}));
      svg.appendChild(sv('text', {x: 4, y: Y(Math.pow(10, e)) + 4, text: si(Math.pow(10, e), 'op/s')}));
    }
    svg.appendChild(sv('text', {x: W / 2 - 80, y: H - 6, text: 'arithmetic intensity (ops per off-chip byte)'}));
    var colors = ['#1e88e5', '#e53935'];
    roofs.forEach(function (f, i) {
      if (!f.peak) return;
      var c = colors[i % 2], d;
      if (f.bw) {
        var ridge = f.peak / f.bw, xa = Math.max(x0, y0 / f.bw);
        d = 'M' + X(xa) + ',' + Y(xa * f.bw) + ' L' + X(ridge) + ',' + Y(f.peak) + ' L' + X(x1) + ',' + Y(f.peak);
      } else d = 'M' + X(x0) + ',' + Y(f.peak) + ' L' + X(x1) + ',' + Y(f.peak);
      svg.appendChild(sv('path', {d: d, fill: 'none', stroke: c, 'stroke-width': 2, 'data-roof': f.side},
        sv('title', {text: f.side + ': peak ' + si(f.peak, 'ops/s') + (f.bw ? ', off-chip ' + si(f.bw, 'B/s') : ', no off-chip bound')})));
    });
    pts.forEach(function (p) {
      if (!(p.x > 0) || !(p.y > 0)) return;
      svg.appendChild(sv('circle', {cx: X(p.x), cy: Y(p.y), r: p.run ? 6 : 3.5, fill: p.run ? '#111' : '#fb8c00',
        'data-point': p.label}, sv('title', {text: p.label + ': ' + si(p.x, 'ops/B') + ', ' + si(p.y, 'ops/s')})));
    });
    body.appendChild(svg);
  }

  /* ---- the timeline --------------------------------------------------------------------- */
  function timelineSection() {
    var body = document.getElementById('timeline-body');
    var tl = D.timeline;
    var limit = D.limits ? D.limits.timeline_max_events : 1000000;
    if (param('max_events') !== null) limit = param('max_events');   /* page.html#max_events=N: the summary view, for tests */
    if (!tl) { note(body, 'no timeline recorded'); body.setAttribute('data-state', 'none'); return; }
    var evs = Array.isArray(tl) ? tl : (tl.traceEvents || []);
    var pname = {}, tname = {}, tracks = {}, counters = {}, nX = 0, i;
    for (i = 0; i < evs.length; i++) {
      var ev = evs[i], key = ev.pid + ':' + ev.tid;
      if (ev.ph === 'M') {
        if (ev.name === 'process_name' && ev.args) pname[ev.pid] = ev.args.name;
        if (ev.name === 'thread_name' && ev.args) tname[key] = ev.args.name;
      } else if (ev.ph === 'X') {
        nX++;
        (tracks[key] || (tracks[key] = {key: key, pid: ev.pid, tid: ev.tid, ev: [], busy: 0})).ev.push(ev);
      } else if (ev.ph === 'C') {
        var ck = ev.pid + ':' + ev.name;
        (counters[ck] || (counters[ck] = {key: ck, pid: ev.pid, name: ev.name, ev: []})).ev.push(ev);
      }
    }
    var tl_ = Object.keys(tracks).map(function (k) { return tracks[k]; });
    tl_.sort(function (a, b) { return a.pid - b.pid || a.tid - b.tid; });
    tl_.forEach(function (t) {
      t.name = (pname[t.pid] ? pname[t.pid] + ' / ' : '') + (tname[t.key] || ('thread ' + t.tid));
      for (var j = 0; j < t.ev.length; j++) t.busy += t.ev[j].dur || 0;
    });
    var cl = Object.keys(counters).map(function (k) { return counters[k]; });
    body.setAttribute('data-events', String(nX));
    body.setAttribute('data-tracks', String(tl_.length));
    if (nX > limit) {
      body.setAttribute('data-state', 'summary');
      note(body, 'The trace has ' + nX + ' events, more than the ' + limit + ' this page draws; it shows each track\u2019s totals instead (open the trace in a trace viewer for the events).');
      var st = el('table', {cls: 'figs'});
      st.appendChild(el('tr', null, [el('td', {text: 'track'}), el('td', {text: 'events'}), el('td', {text: 'busy time'})]));
      tl_.forEach(function (t) { st.appendChild(el('tr', null, [el('td', {text: t.name}), el('td', {text: t.ev.length}), el('td', {text: t.busy})])); });
      body.appendChild(st);
      return;
    }
    body.setAttribute('data-state', 'drawn');
    var tmin = Infinity, tmax = -Infinity;
    tl_.forEach(function (t) {
      t.ev.sort(function (a, b) { return a.ts - b.ts; });
      t.maxDur = 0;
      for (var j = 0; j < t.ev.length; j++) {
        var e = t.ev[j];
        if (e.ts < tmin) tmin = e.ts;
        if (e.ts + (e.dur || 0) > tmax) tmax = e.ts + (e.dur || 0);
        if ((e.dur || 0) > t.maxDur) t.maxDur = e.dur || 0;
      }
    });
    cl.forEach(function (c) {
      c.ev.sort(function (a, b) { return a.ts - b.ts; });
      c.max = 0;
      c.ev.forEach(function (e) {
        var v = 0;
        for (var k in e.args) v += Number(e.args[k]) || 0;
        e.v = v;
        if (v > c.max) c.max = v;
        if (e.ts < tmin) tmin = e.ts;
        if (e.ts > tmax) tmax = e.ts;
      });
    });
    if (!isFinite(tmin)) { note(body, 'the trace has no events to draw'); return; }
    if (tmax <= tmin) tmax = tmin + 1;
    var unit = tl.displayTimeUnit || 'us';
    var od = tl.otherData || {};
    if (od.note) note(body, String(od.note));
    else if (od.events_dropped) note(body, 'the recording dropped ' + od.events_dropped + ' events past its cap');
    body.appendChild(el('p', {cls: 'muted', text: nX + ' events on ' + tl_.length + ' tracks' + (cl.length ? ' and ' + cl.length + ' counters' : '') + '; time in the trace\u2019s units (' + unit + '). Wheel or +/- to zoom, drag to pan, double-click to reset; hover an event for its instruction, operands and cause. Drawn on a canvas, binned per pixel; past ' + limit + ' events the page shows per-track totals.'}));
    var ctrl = el('div', {cls: 'controls'});
    var bIn = el('button', {text: '+', type: 'button'}), bOut = el('button', {text: '\u2212', type: 'button'}), bAll = el('button', {text: 'whole run', type: 'button'});
    var span = el('span', {cls: 'muted mono'});
    addKids(ctrl, [bIn, bOut, bAll, span]);
    body.appendChild(ctrl);
    var LW = 180, TH = 18, AX = 22;
    var rows = tl_.length + cl.length;
    var canvas = el('canvas', {cls: 'tl-canvas'});
    canvas.style.height = (rows * TH + AX + 4) + 'px';
    body.appendChild(canvas);
    var tip = el('div', {cls: 'tip'});
    document.body.appendChild(tip);
    var view = {t0: tmin, t1: tmax};
    var palette = ['#1e88e5', '#43a047', '#8e24aa', '#f4511e', '#00897b', '#c0ca33', '#5e35b1', '#6d4c41', '#039be5', '#d81b60'];
    var causeColor = {busy: '#2e7d32', compute: '#2e7d32', idle: '#bdbdbd', off_chip: '#e53935', wait_inputs: '#e53935',
                      wait_weights: '#ef6c00', weight_shift: '#1e88e5', fill_drain: '#42a5f5', dependency: '#fb8c00'};
    function colorOf(e) {
      var c = e.args && e.args.cause;
      if (c && causeColor[c]) return causeColor[c];
      var s = String(c || e.cat || e.name || ''), h = 0;
      for (var k = 0; k < s.length; k++) h = (h * 31 + s.charCodeAt(k)) | 0;
      return palette[Math.abs(h) % palette.length];
    }
    function firstAt(arr, t) {   /* first index with ts >= t */
      var lo = 0, hi = arr.length;
      while (lo < hi) { var mid = (lo + hi) >> 1; if (arr[mid].ts < t) lo = mid + 1; else hi = mid; }
      return lo;
    }
    function draw() {
      var dpr = window.devicePixelRatio || 1, w = canvas.clientWidth || 900, h = rows * TH + AX + 4;
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
      var g = canvas.getContext('2d');
      g.setTransform(dpr, 0, 0, dpr, 0, 0);
      g.fillStyle = '#fff';
      g.fillRect(0, 0, w, h);
      var pw = w - LW, scale = pw / (view.t1 - view.t0);
      g.font = '11px sans-serif';
      tl_.forEach(function (t, r) {
        var y = AX + r * TH;
        g.fillStyle = r % 2 ? '#f7f8fa' : '#fff';
        g.fillRect(0, y, w, TH);
        g.fillStyle = '#1d2433';
        g.fillText(t.name.length > 28 ? t.name.slice(0, 27) + '\u2026' : t.name, 4, y + 13);
        var j = firstAt(t.ev, view.t0 - t.maxDur), end = -1;
        for (; j < t.ev.length; j++) {
          var e = t.ev[j];
          if (e.ts > view.t1) break;
          var x0 = LW + Math.floor((e.ts - view.t0) * scale), x1 = LW + Math.ceil((e.ts + (e.dur || 0) - view.t0) * scale);
          if (x1 < LW) continue;
          if (x0 < LW) x0 = LW;
          if (x1 <= x0) x1 = x0 + 1;
          if (x1 <= end) continue;      /* this pixel column is drawn already: one event per pixel */
          if (x0 < end) x0 = end;
          g.fillStyle = colorOf(e);
          g.fillRect(x0, y + 2, x1 - x0, TH - 4);
          end = x1;
        }
      });
      cl.forEach(function (c, r) {
        var y = AX + (tl_.length + r) * TH;
        g.fillStyle = '#1d2433';
        g.fillText((pname[c.pid] ? pname[c.pid] + ' / ' : '') + c.name, 4, y + 13);
        g.strokeStyle = '#8e24aa';
        g.beginPath();
        var j = Math.max(0, firstAt(c.ev, view.t0) - 1), started = false, last = 0;
        for (; j < c.ev.length; j++) {
          var e = c.ev[j], x = LW + Math.max(0, (e.ts - view.t0) * scale), yy = y + TH - 2 - (c.max ? (TH - 4) * e.v / c.max : 0);
          if (!started) { g.moveTo(x, yy); started = true; } else { g.lineTo(x, last); g.lineTo(x, yy); }
          last = yy;
          if (e.ts > view.t1) break;
        }
        if (started) g.lineTo(w, last);
        g.stroke();
      });
      g.fillStyle = '#1d2433';
      for (var k = 0; k <= 8; k++) {
        var tx = view.t0 + (view.t1 - view.t0) * k / 8, xx = LW + pw * k / 8;
        g.fillRect(xx, AX - 6, 1, 6);
        g.fillText(shortNum(Number(tx.toPrecision(6))), Math.min(xx + 2, w - 50), 12);
      }
      span.textContent = 'view ' + shortNum(Number(view.t0.toPrecision(7))) + ' .. ' + shortNum(Number(view.t1.toPrecision(7))) + ' ' + unit;
    }
    /* what the hover names: the innermost event of track r at time `at` (within slack) */
    function describe(r, at, slack) {
      if (r < 0 || r >= tl_.length) return null;
      var t = tl_[r], best = null;
      var j = firstAt(t.ev, at - t.maxDur - slack);
      for (; j < t.ev.length && t.ev[j].ts <= at + slack; j++) {
        var e = t.ev[j];
        if (at >= e.ts - slack && at <= e.ts + (e.dur || 0) + slack) best = e;
      }
      if (!best) return null;
      var lines = [best.name + '  (' + t.name + ')', 'ts ' + best.ts + ', dur ' + (best.dur || 0) + ' ' + unit];
      if (best.args) Object.keys(best.args).forEach(function (k) {
        var v = best.args[k];
        lines.push(k + ': ' + (typeof v === 'object' ? JSON.stringify(v) : v));
      });
      return lines;
    }
    function zoom(f, cx) {
      var w = (canvas.clientWidth || 900) - LW, at = view.t0 + (view.t1 - view.t0) * Math.min(1, Math.max(0, (cx - LW) / w));
      var nt0 = at - (at - view.t0) * f, nt1 = at + (view.t1 - at) * f;
      if (nt1 - nt0 < 1e-6) return;
      view.t0 = Math.max(tmin - (tmax - tmin), nt0);
      view.t1 = Math.min(tmax + (tmax - tmin), nt1);
      draw();
    }
    bIn.onclick = function () { zoom(0.5, LW + ((canvas.clientWidth || 900) - LW) / 2); };
    bOut.onclick = function () { zoom(2, LW + ((canvas.clientWidth || 900) - LW) / 2); };
    bAll.onclick = function () { view.t0 = tmin; view.t1 = tmax; draw(); };
    canvas.ondblclick = bAll.onclick;
    canvas.addEventListener('wheel', function (ev) {
      ev.preventDefault();
      var rc = canvas.getBoundingClientRect();
      zoom(ev.deltaY < 0 ? 0.8 : 1.25, ev.clientX - rc.left);
    }, {passive: false});
    var drag = null;
    canvas.onmousedown = function (ev) { drag = {x: ev.clientX, t0: view.t0, t1: view.t1}; };
    window.addEventListener('mouseup', function () { drag = null; });
    canvas.onmouseleave = function () { tip.style.display = 'none'; };
    canvas.onmousemove = function (ev) {
      var rc = canvas.getBoundingClientRect(), x = ev.clientX - rc.left, y = ev.clientY - rc.top;
      var pw = rc.width - LW, scale = pw / (view.t1 - view.t0);
      if (drag) {
        var dt = (ev.clientX - drag.x) / scale;
        view.t0 = drag.t0 - dt;
        view.t1 = drag.t1 - dt;
        draw();
        return;
      }
      var r = Math.floor((y - AX) / TH);
      var lines = x < LW ? null : describe(r, view.t0 + (x - LW) / scale, 2 / scale);
      if (!lines) { tip.style.display = 'none'; return; }
      tip.textContent = lines.join('\n');
      tip.style.display = 'block';
      tip.style.left = Math.min(ev.clientX + 14, window.innerWidth - 430) + 'px';
      tip.style.top = (ev.clientY + 14) + 'px';
    };
    window.addEventListener('resize', draw);
    draw();
    var list = el('details', null, el('summary', {text: 'tracks'}));
    tl_.forEach(function (t, r) {
      list.appendChild(el('div', {cls: 'mono', 'data-track': t.name, 'data-track-events': t.ev.length, 'data-track-busy': t.busy,
        text: r + ': ' + t.name + ', ' + t.ev.length + ' events, busy ' + t.busy + ' ' + unit}));
    });
    body.appendChild(list);
    /* page.html#probe=R,T: what the hover would show on track R at time T (for the browser test) */
    var pr = /[#&]probe=([0-9]+),([0-9.]+)/.exec(location.hash);
    if (pr) {
      var d = describe(parseInt(pr[1], 10), parseFloat(pr[2]), 0);
      body.setAttribute('data-probe', d ? d.join(' | ') : '');
    }
  }

  /* ---- the systolic array ----------------------------------------------------------------- */
  function arraySection() {
    var body = document.getElementById('array-body');
    var A = D.array;
    if (!A) { note(body, 'no per-PE run in this command (the array is animated by tpusim mxu ... --engine pe --html FILE on arrays up to ' + (D.limits ? D.limits.array_max_dim : 16) + 'x' + (D.limits ? D.limits.array_max_dim : 16) + ')'); body.setAttribute('data-state', 'none'); return; }
    if (A.omitted) { note(body, 'The array is not animated: ' + A.omitted + '. The figures below are the whole run\u2019s.'); body.setAttribute('data-state', 'omitted'); return; }
    body.setAttribute('data-state', 'drawn');
    var Rn = A.rows, Cn = A.cols, df = A.dataflow, os = df === 'os', is = df === 'is', M = A.m, N = A.n, K = A.k;
    var isInt = A.dtype === 'int8', folds = A.folds, frames = A.frames, cycles = Math.max(1, A.cycles);
    var rpc = A.weight_rows_per_cycle || 1, db = A.double_buffer;
    /* without the inputs (the whole machine: its ops' operands come from its memories) the
       labels use each op's own indices and no value is checked against them */
    var known = !!(A.A && A.B), Av = known ? A.A.map(num) : null, Bv = known ? A.B.map(num) : null;
    frames.forEach(function (f) {
      ['a', 'w', 'ws', 'p'].forEach(function (k) { if (f[k]) f[k] = f[k].map(num); });
    });
    function a_(i, k) { return known ? Av[i * K + k] : undefined; }
    function b_(k, j) { return known ? Bv[k * N + j] : undefined; }
    function partial(i, j, k0, k1) {
      if (!known) return undefined;
      var s = 0;
      for (var k = k0; k < k1; k++) s = isInt ? (s + a_(i, k) * b_(k, j)) | 0 : Math.fround(a_(i, k) * b_(k, j) + s);
      return s;
    }
    function T(f) { return f.stream_end - f.start; }
    function L(f) { return Math.ceil(f.k / rpc); }
    function streamed(x, r, c) {
      for (var f = 0; f < folds.length; f++) {
        var first = folds[f].start + r + c;
        if (x >= first && x - first < T(folds[f])) return {f: folds[f], s: x - first, n: f};
      }
      return null;
    }
    function frameAt(x) {   /* the last frame at or before cycle x (the engine skips idle cycles) */
      var lo = 0, hi = frames.length;
      while (lo < hi) { var mid = (lo + hi) >> 1; if (frames[mid].x <= x) lo = mid + 1; else hi = mid; }
      return lo ? frames[lo - 1] : null;
    }
    function lab(m, x, y) { return m + '[' + x + '][' + y + ']'; }
    /* the tile a stationary register holds: fold g's element for PE(r,c) */
    function tileOf(g, r, c) {
      if (r >= g.k || c >= (is ? g.m : g.n)) return null;
      return is ? {t: lab('a', g.i0 + c, g.k0 + r), v: a_(g.i0 + c, g.k0 + r)} : {t: lab('b', g.k0 + r, g.j0 + c), v: b_(g.k0 + r, g.j0 + c)};
    }
    /* labels of PE(r,c) at cycle x: {a, w, ws, p}, each {t: text, v: expected value or undefined} */
    function labels(x, r, c, fr, e) {
      var out = {}, st = streamed(x, r, c), fd = st ? st.f : null, s = st ? st.s : 0;
      var av = fr && fr.av[e] === '1', pv = fr && fr.pv[e] === '1';
      if (!os) {
        if (av && fd && r < fd.k)
          out.a = is ? {t: lab('b', fd.k0 + r, fd.j0 + s), v: b_(fd.k0 + r, fd.j0 + s)} : {t: lab('a', fd.i0 + s, fd.k0 + r), v: a_(fd.i0 + s, fd.k0 + r)};
        else out.a = {t: av ? '?' : '.'};
        /* active weights: db swaps as a fold's first element passes, else the shift writes them */
        var g = null, h = null, q;
        for (q = 0; q < folds.length; q++) {
          var done = folds[q].shift_start + L(folds[q]) - 1 + c;
          if (db ? folds[q].start + r + c <= x : done <= x) g = folds[q];
          if (folds[q].shift_start + c <= x && (db ? folds[q].start + r + c > x : done > x)) h = folds[q];
        }
        if (!db && h) out.w = {t: '~'};
        else if (g) out.w = tileOf(g, r, c) || {t: '.'};
        else out.w = {t: '.'};
        if (db) {
          var sh = null;
          for (q = 0; q < folds.length; q++)
            if (folds[q].shift_start + L(folds[q]) - 1 + c <= x && folds[q].start + r + c > x) sh = folds[q];
          out.ws = h && (!sh || h !== sh) ? {t: '~'} : sh ? tileOf(sh, r, c) || {t: '.'} : {t: '.'};
        }
        if (!pv) out.p = {t: '.'};
        else if (!fd || c >= (is ? fd.m : fd.n)) out.p = {t: 'pad'};
        else {
          var i = is ? fd.i0 + c : fd.i0 + s, j = is ? fd.j0 + s : fd.j0 + c, k1 = fd.k0 + Math.min(r + 1, fd.k);
          out.p = {t: lab('c', i, j), n: k1 - fd.k0, k0: fd.k0, v: partial(i, j, fd.k0, k1)};
        }
        return out;
      }
      var wv = fr && fr.wv && fr.wv[e] === '1';
      out.a = av && fd && r < fd.m ? {t: lab('a', fd.i0 + r, s), v: a_(fd.i0 + r, s)} : {t: av ? '?' : '.'};
      out.w = wv && fd && c < fd.n ? {t: lab('b', s, fd.j0 + c), v: b_(s, fd.j0 + c)} : {t: wv ? '?' : '.'};
      if (!pv) { out.p = {t: '.'}; return out; }
      var claim = null, row = 0, kk = 0;
      for (var gi = folds.length - 1; gi >= 0 && !claim; gi--) {
        var hf = folds[gi], t0 = hf.start, TT = T(hf), drain = t0 + TT + Rn - 1 + c;
        if (x < t0 + r + c) continue;
        if (x < drain) { claim = hf; row = r; kk = Math.min(x - t0 - r - c + 1, TT); }
        else if (x - drain < Rn && r > x - drain) { claim = hf; row = r - (x - drain) - 1; kk = TT; }
      }
      if (!claim || row >= claim.m || c >= claim.n) out.p = {t: 'pad'};
      else out.p = {t: lab('c', claim.i0 + row, claim.j0 + c), n: kk, k0: 0, v: partial(claim.i0 + row, claim.j0 + c, 0, kk)};
      return out;
    }
    function range(m, varyFirst, lo, hi, fixed) {
      var r = lo === hi ? String(lo) : lo + '..' + hi;
      return varyFirst ? m + '[' + r + '][' + fixed + ']' : m + '[' + fixed + '][' + r + ']';
    }
    /* operands released into the input skew's delay lines, not yet in the array (mxu-demo) */
    function skew(x) {
      var out = [];
      for (var side = 0; side < (os ? 2 : 1); side++) {
        var lanes = side ? Cn : Rn, items = [];
        for (var q = 1; q < lanes; q++)
          for (var f = 0; f < folds.length; f++) {
            var fd = folds[f], t0 = fd.start, TT = T(fd);
            if (x < t0 || q >= (os ? (side ? fd.n : fd.m) : fd.k)) continue;
            var hi = Math.min(x - t0, TT - 1), lo = x - t0 + 1 > q ? x - t0 + 1 - q : 0;
            if (lo > hi) continue;
            var e = df === 'ws' ? range('a', true, fd.i0 + lo, fd.i0 + hi, fd.k0 + q)
                  : is ? range('b', false, fd.j0 + lo, fd.j0 + hi, fd.k0 + q)
                  : side ? range('b', true, lo, hi, fd.j0 + q) : range('a', false, lo, hi, fd.i0 + q);
            items.push((side ? 'col ' : 'row ') + q + ': ' + e);
          }
        out.push({title: side ? 'input skew, top (B column j waits j cycles)' : os ? 'input skew, left (A row i waits i cycles)' : 'input skew (array row r waits r cycles)', items: items});
      }
      return out;
    }
    function deskew(x) {
      var items = [];
      for (var c = 0; c + 1 < Cn; c++)
        for (var f = 0; f < folds.length; f++) {
          var fd = folds[f], t0 = fd.start, TT = T(fd);
          var base = os ? t0 + TT + Rn - 1 : t0 + Rn, len = os ? Rn : TT;
          if (c >= (is ? fd.m : fd.n) || x < base + c) continue;
          var hi = Math.min(x - base - c, len - 1), lo = x + 2 > base + Cn ? x + 2 - base - Cn : 0;
          if (os) {
            if (lo > hi) continue;
            var top = Rn - 1 - lo, bot = Rn - 1 - hi;
            if (bot >= fd.m) continue;
            if (top >= fd.m) top = fd.m - 1;
            lo = bot; hi = top;
          }
          if (lo > hi) continue;
          items.push('col ' + c + ': ' + (is ? range('c', false, fd.j0 + lo, fd.j0 + hi, fd.i0 + c) : range('c', true, fd.i0 + lo, fd.i0 + hi, fd.j0 + c)));
        }
      return items;
    }
    /* the accumulator writes, replayed once: what C holds after each write */
    var showC = known && M * N <= 4096, Cval = showC ? new Float64Array(M * N) : null, Cset = showC ? new Uint8Array(M * N) : null;
    var writes = [];   /* {x, cells: [index...], vals: [...]} */
    frames.forEach(function (f) {
      if (f.acc[0] < 0 || !showC) return;
      var fd = folds[f.acc[0]], idx = f.acc[1], cells = [], vals = [], len = is ? fd.m : fd.n;
      for (var q = 0; q < len; q++) {
        var i = is ? fd.i0 + q : fd.i0 + idx, j = is ? fd.j0 + idx : fd.j0 + q;
        var p = os ? partial(i, j, 0, K) : partial(i, j, fd.k0, fd.k0 + fd.k);
        cells.push(i * N + j);
        vals.push(p);
      }
      writes.push({x: f.x, fold: f.acc[0], idx: idx, acc: fd.accumulate, cells: cells, vals: vals});
    });
    var legend = {
      ws: 'ws (weight stationary): B stays in the array, b[k][j] in PE(k,j), loaded by a weight shift from the top' + (db ? ' into shadow registers while the previous fold computes' : '') + '. The rows of A stream in from the left: a[i][k] enters array row k and moves right one PE per cycle. Partial sums of c[i][j] start at 0 in row 0 and move down column j, adding a[i][k] * b[k][j] in PE(k,j); below the array the de-skew lines the columns up and row i of C reaches the accumulators.',
      is: 'is (input stationary): A\u1d40 stays in the array, a[i][k] in PE(k,i), loaded by a weight shift from the top' + (db ? ' into shadow registers while the previous fold computes' : '') + '. The columns of B stream in from the left: b[k][j] enters array row k and moves right one PE per cycle. Partial sums of c[i][j] move down column i; below the array the de-skew lines the columns up and column j of C reaches the accumulators.',
      os: 'os (output stationary): C stays in the array, c[i][j] accumulating in PE(i,j); nothing is preloaded. A streams in from the left (a[i][k] enters array row i, moving right) and B from the top (b[k][j] enters column j, moving down); they meet in PE(i,j) at step k. After the last step each column drains its sums down, and the de-skew writes row i of C into the accumulators.'};
    if (known)
      body.appendChild(el('p', {text: 'C[' + M + 'x' + N + '] = A[' + M + 'x' + K + '] * B[' + K + 'x' + N + '], ' + A.dtype + ', on a ' + Rn + 'x' + Cn + ' ' + df + ' array, ' + folds.length + ' fold' + (folds.length === 1 ? '' : 's') + ', ' + cycles + ' cycles.'}));
    else
      body.appendChild(el('p', {text: 'Core 0\u2019s MXU 0 of the whole machine: ' + folds.length + ' matmul op' + (folds.length === 1 ? '' : 's') + ' on a ' + Rn + 'x' + Cn + ' ' + df + ' array, ' + A.dtype + ', ' + cycles + ' cycles. The machine\u2019s operands come from its memories, so each register is named by its op\u2019s own indices (a[i][k] of the op\u2019s A tile, and so on) and the values are shown as the engine holds them, unchecked.'}));
    body.appendChild(el('p', {cls: 'muted', text: legend[df] + ' Each row starts one cycle after the one above (the input skew), so the operands form a diagonal wavefront (highlighted). Each PE shows the element each register holds after the cycle and its value; \u2018.\u2019 is an empty register, \u2018pad\u2019 a register outside the GEMM (a partial tile), \u2018~\u2019 a weight on its way through the shift chain. A partial sum\u2019s label says how many k terms it holds.'}));
    var ul = el('ul', {cls: 'muted'});
    folds.forEach(function (fd, i) {
      ul.appendChild(el('li', {text: 'fold ' + i + ': c[' + fd.i0 + '..' + (fd.i0 + fd.m - 1) + '][' + fd.j0 + '..' + (fd.j0 + fd.n - 1) + '] ' + (fd.accumulate ? '+=' : '=') +
        ' a[' + fd.i0 + '..' + (fd.i0 + fd.m - 1) + '][' + fd.k0 + '..' + (fd.k0 + fd.k - 1) + '] * b[' + fd.k0 + '..' + (fd.k0 + fd.k - 1) + '][' + fd.j0 + '..' + (fd.j0 + fd.n - 1) + ']' +
        (os ? '' : '; weights shift from cycle ' + fd.shift_start) + ', streams ' + fd.start + '..' + (fd.stream_end - 1) + ', results in by cycle ' + (fd.end - 1)}));
    });
    body.appendChild(ul);
    var ctrl = el('div', {cls: 'controls'});
    var bFirst = el('button', {type: 'button', text: 'first', title: 'the first cycle', id: 'arr-first'});
    var bBack = el('button', {type: 'button', text: '\u25c0 step', title: 'one cycle back', id: 'arr-back'});
    var bPlay = el('button', {type: 'button', text: '\u25b6 play', id: 'arr-play'});
    var bStep = el('button', {type: 'button', text: 'step \u25b6', title: 'one cycle on', id: 'arr-step'});
    var scrub = el('input', {type: 'range', min: 0, max: cycles - 1, value: 0, step: 1, id: 'arr-scrub'});
    var speed = el('select', {id: 'arr-speed'}, [1, 4, 16, 60].map(function (v) { return el('option', {value: v, text: v + ' cycles/s'}); }));
    speed.value = '4';
    var info = el('span', {cls: 'mono', id: 'arr-info'});
    addKids(ctrl, [bFirst, bBack, bPlay, bStep, scrub, speed, info]);
    body.appendChild(ctrl);
    var wrap = el('div', {cls: 'arr-wrap'});
    var grid = el('div', {cls: 'grid', id: 'pe-grid', 'data-rows': Rn, 'data-cols': Cn, 'data-dataflow': df});
    grid.style.gridTemplateColumns = 'repeat(' + Cn + ', minmax(92px, 1fr))';
    var cells = [];
    var names = os ? [['a', 'a'], ['w', 'b'], ['p', 'acc']] : db ? [['a', is ? 'in' : 'a'], ['w', 'w'], ['ws', 'shadow'], ['p', 'psum']] : [['a', is ? 'in' : 'a'], ['w', 'w'], ['p', 'psum']];
    for (var r = 0; r < Rn; r++)
      for (var c = 0; c < Cn; c++) {
        var cell = el('div', {cls: 'pe', 'data-pe': r + ',' + c, title: 'PE(' + r + ',' + c + ')'}), parts = {};
        names.forEach(function (nm) {
          var l = el('span', {cls: 'l'}), v = el('span', {cls: 'v'}), row = el('div', {cls: 'r ' + nm[0]}, [el('span', {cls: 'muted', text: nm[1] + ' '}), l, v]);
          cell.appendChild(row);
          parts[nm[0]] = {row: row, l: l, v: v};
        });
        grid.appendChild(cell);
        cells.push({el: cell, parts: parts});
      }
    var side = el('div', {cls: 'side'});
    addKids(wrap, [grid, side]);
    body.appendChild(wrap);
    var cur = 0, timer = null;
    function show(x) {
      x = Math.max(0, Math.min(cycles - 1, x));
      cur = x;
      var fr = frameAt(x), live = fr && fr.x === x;
      grid.setAttribute('data-cycle', String(x));
      body.setAttribute('data-cycle', String(x));
      scrub.value = String(x);
      info.textContent = 'cycle ' + x + ' of ' + cycles + ' \u2014 ' + (live ? fr.cause : 'idle (nothing in the array)') +
        (live && fr.stream[0] >= 0 ? ', fold ' + fr.stream[0] + ' streams element ' + fr.stream[1] : '') +
        (live && fr.shift >= 0 ? ', fold ' + fr.shift + '\u2019s weights shift' : '');
      for (var e = 0; e < cells.length; e++) {
        var rr = Math.floor(e / Cn), cc = e % Cn, ce = cells[e], L_ = labels(x, rr, cc, fr, e);
        var vals = {a: fr ? fr.a[e] : 0, w: fr ? fr.w[e] : 0, ws: fr && fr.ws ? fr.ws[e] : 0, p: fr ? fr.p[e] : 0};
        var valid = {a: fr ? fr.av[e] : '0', w: fr ? (os ? fr.wv[e] : '1') : '0', ws: '1', p: fr ? fr.pv[e] : '0'};
        ce.el.setAttribute('data-a', String(vals.a));
        ce.el.setAttribute('data-av', valid.a);
        ce.el.setAttribute('data-w', String(vals.w));
        if (os) ce.el.setAttribute('data-wv', valid.w);
        if (db && !os) ce.el.setAttribute('data-ws', String(vals.ws));
        ce.el.setAttribute('data-psum', String(vals.p));
        ce.el.setAttribute('data-pv', valid.p);
        var wave = false;
        Object.keys(ce.parts).forEach(function (k) {
          var pt = ce.parts[k], lb = L_[k] || {t: '.'}, ok = lb.v === undefined || lb.v === vals[k] || (lb.v !== lb.v && vals[k] !== vals[k]);
          var text = ok ? lb.t : '~';
          if (k === 'p' && ok && lb.n !== undefined) text += ' (' + lb.n + 'k)';
          pt.l.textContent = text;
          pt.v.textContent = (valid[k] === '1' || k === 'w' || k === 'ws') && text !== '.' ? shortNum(vals[k]) : '';
          pt.row.className = 'r ' + k + (text !== '.' && text !== '~' ? ' on' : '');
          pt.row.title = k === 'p' && lb.n !== undefined ? lb.t + ' summed over ' + lb.n + ' k term' + (lb.n === 1 ? '' : 's') + ' (k = ' + lb.k0 + '..' + (lb.k0 + lb.n - 1) + ')' : '';
          if (k === 'a' && valid.a === '1') wave = true;
        });
        ce.el.className = 'pe' + (wave ? ' wave' : '');
      }
      side.textContent = '';
      skew(x).forEach(function (sk) {
        side.appendChild(el('div', {text: sk.title + (sk.items.length ? ':' : ': empty')}));
        if (sk.items.length) side.appendChild(el('ul', null, sk.items.map(function (t) { return el('li', {cls: 'mono', text: t}); })));
      });
      var ds = deskew(x);
      side.appendChild(el('div', {text: 'de-skew (column c waits C-1-c cycles)' + (ds.length ? ':' : ': empty')}));
      if (ds.length) side.appendChild(el('ul', null, ds.map(function (t) { return el('li', {cls: 'mono', text: t}); })));
      if (live && fr.acc[0] >= 0) {
        var fd = folds[fr.acc[0]], idx = fr.acc[1];
        side.appendChild(el('div', {text: 'accumulators ' + (fd.accumulate ? '+= ' : '\u2190 ') + (is ? 'column ' + (fd.j0 + idx) : 'row ' + (fd.i0 + idx)) + ' of C (fold ' + fr.acc[0] + ')'}));
      }
      if (showC) {
        Cval.fill(0);
        Cset.fill(0);
        var fresh = {};
        writes.forEach(function (wr) {
          if (wr.x > x) return;
          for (var q = 0; q < wr.cells.length; q++) {
            var ci = wr.cells[q];
            Cval[ci] = wr.acc && Cset[ci] ? (isInt ? (Cval[ci] + wr.vals[q]) | 0 : Math.fround(Cval[ci] + wr.vals[q])) : wr.vals[q];
            Cset[ci] = 1;
            if (wr.x === x) fresh[ci] = 1;
          }
        });
        var tb = el('table', {cls: 'cmat', id: 'cmat'});
        for (var i = 0; i < M; i++) {
          var tr = el('tr');
          for (var j = 0; j < N; j++) {
            var ci = i * N + j;
            tr.appendChild(el('td', {cls: fresh[ci] ? 'new' : Cset[ci] ? '' : 'empty', text: Cset[ci] ? shortNum(Cval[ci]) : '.'}));
          }
          tb.appendChild(tr);
        }
        side.appendChild(el('div', {text: 'C in the accumulators (\u2018.\u2019 not written yet; just written highlighted):'}));
        side.appendChild(tb);
      }
    }
    function stop() { if (timer) { clearInterval(timer); timer = null; bPlay.textContent = '\u25b6 play'; } }
    bFirst.onclick = function () { stop(); show(0); };
    bBack.onclick = function () { stop(); show(cur - 1); };
    bStep.onclick = function () { stop(); show(cur + 1); };
    scrub.oninput = function () { stop(); show(parseInt(scrub.value, 10)); };
    bPlay.onclick = function () {
      if (timer) { stop(); return; }
      if (cur >= cycles - 1) show(0);
      bPlay.textContent = '\u23f8 pause';
      timer = setInterval(function () { if (cur >= cycles - 1) stop(); else show(cur + 1); }, 1000 / Number(speed.value));
    };
    speed.onchange = function () { if (timer) { stop(); bPlay.onclick(); } };
    show(0);
    /* page.html#step=N: step N cycles on load (the browser test reads the DOM after it) */
    var n = param('step');
    if (n !== null) for (var k = 0; k < n && cur < cycles - 1; k++) show(cur + 1);
  }

  function safe(fn, id) {
    try { fn(); } catch (e) {
      var b = document.getElementById(id);
      if (b) note(b, 'this section could not be drawn: ' + e);
      document.body.setAttribute('data-error', String(e));
    }
  }
  var marks = [];
  function timed(name, fn, id) {
    var t = (window.performance && performance.now) ? performance.now() : Date.now();
    safe(fn, id);
    marks.push(name + ' ' + (((window.performance && performance.now) ? performance.now() : Date.now()) - t).toFixed(1));
  }
  marks.push('parse ' + (((window.performance && performance.now) ? performance.now() : Date.now()) - T0).toFixed(1));
  timed('machine', machineSection, 'machine-body');
  timed('array', arraySection, 'array-body');
  timed('timeline', timelineSection, 'timeline-body');
  timed('categories', categoriesSection, 'categories-body');
  timed('roofline', roofSection, 'roofline-body');
  document.body.setAttribute('data-render-parts', marks.join(', '));
  var ms = ((window.performance && performance.now) ? performance.now() : Date.now()) - T0;
  document.body.setAttribute('data-render-ms', ms.toFixed(1));
  document.body.setAttribute('data-ready', '1');
  document.getElementById('footer').textContent += ' Drawn in ' + ms.toFixed(0) + ' ms.';
})();
