package auditpack

// reportHTML is the management report's template. It loads nothing from outside: CSS and
// charts (SVG) are inline, so the file opens offline and prints on A4 or Letter.
const reportHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="annex {{.Version}}">
<title>{{.E.Name}} — audit pack report</title>
<style>
:root{--fg:#1f2328;--muted:#57606a;--line:#d0d7de;--accent:#0550ae;--bg:#fff;--soft:#f6f8fa}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 -apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:980px;margin:0 auto;padding:32px 28px 48px}
header.cover{border-bottom:3px solid var(--accent);padding-bottom:16px;margin-bottom:24px}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:19px;margin:32px 0 12px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:15px;margin:20px 0 8px}
.sub{color:var(--muted);margin:0}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:16px 0 0}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;white-space:pre-wrap}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:8px 0}
.card{flex:1 1 200px;border:1px solid var(--line);border-radius:8px;padding:12px 14px;background:var(--soft)}
.card .big{font-size:30px;font-weight:700;color:var(--accent)}
.card .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
table{border-collapse:collapse;width:100%;margin:8px 0;font-size:13px}
th,td{text-align:left;vertical-align:top;padding:5px 8px;border-bottom:1px solid var(--line)}
th{background:var(--soft);font-weight:600}
td.num,th.num{text-align:right;white-space:nowrap}
.bars td{border:none;padding:3px 8px}
.bars td.name{width:44%}
.legend{display:flex;flex-wrap:wrap;gap:14px;font-size:12px;color:var(--muted);margin:4px 0 8px}
.legend i{display:inline-block;width:10px;height:10px;margin-right:5px;border-radius:2px;vertical-align:-1px}
.overdue{color:#c62828;font-weight:600}
.tag{display:inline-block;padding:0 6px;border-radius:10px;font-size:12px;background:var(--soft);border:1px solid var(--line)}
.muted{color:var(--muted)}
footer{margin-top:40px;padding-top:10px;border-top:1px solid var(--line);color:var(--muted);font-size:12px}
.heat{display:inline-block;margin:0 24px 12px 0;vertical-align:top}
.banner{display:flex;justify-content:space-between;font-size:12px;font-weight:700;letter-spacing:.08em;color:#c62828;margin-bottom:10px}
table.control{margin-top:16px;font-size:12.5px}table.control th{width:16%;white-space:nowrap}.pre{white-space:pre-wrap}
.ok{color:#2e7d32}.small{font-size:12px}
.verdicts{display:flex;flex-wrap:wrap;gap:12px;margin:8px 0}
.verdict{flex:1 1 280px;border:1px solid var(--line);border-left:6px solid #f0a202;border-radius:6px;padding:10px 14px}
.verdict.bad{border-left-color:#c62828}.verdict.ok{border-left-color:#2e7d32}
.verdict .big{font-size:22px;font-weight:700;text-transform:uppercase}.verdict.bad .big{color:#c62828}.verdict.warn .big{color:#b06a00}.verdict.ok .big{color:#2e7d32}
.verdict .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}.verdict ul{margin:6px 0 0;padding-left:18px;font-size:12.5px}
.method{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}.method table.scales{width:auto;min-width:220px}
.swatch{display:inline-block;width:10px;height:10px;margin-right:6px;border-radius:2px;vertical-align:-1px}
.cols{display:flex;flex-wrap:wrap;gap:18px}.cols table{width:auto;min-width:300px}
section[id^=annex]{border-top:3px solid var(--line);margin-top:40px}
@media print{
  @page{size:A4;margin:14mm}
  body{font-size:11px}
  main{max-width:none;padding:0}
  h2{break-after:avoid}
  section{break-inside:auto}
  tr,.card,.heat,svg{break-inside:avoid}
  .card{background:none}
  section[id^=annex]{break-before:page}
}
</style>
</head>
<body>
<main>
<header class="cover">
<div class="banner"><span>{{.Control.Classification}}</span><span>{{.Control.Status}}</span></div>
<h1>{{.E.Name}}</h1>
<p class="sub">Readiness report{{if .E.Organisation}} for {{.E.Organisation}}{{end}} · state of the workspace on {{.At}}</p>
<dl class="facts">
{{if .E.Scope}}<dt>Scope</dt><dd>{{.E.Scope}}</dd>{{end}}
<dt>Standards</dt><dd>{{join .Standards ", "}}</dd>
{{if .E.Lead}}<dt>Lead</dt><dd>{{.E.Lead}}</dd>{{end}}
{{if or .E.StartDate .E.EndDate}}<dt>Period</dt><dd>{{if .E.StartDate}}{{.E.StartDate}}{{else}}…{{end}} to {{if .E.EndDate}}{{.E.EndDate}}{{else}}…{{end}}</dd>{{end}}
</dl>
{{template "control" .Control}}
</header>
{{template "exec" .Exec}}

<section id="summary">
<h2>At a glance</h2>
<div class="cards">
{{range .Views}}<div class="card"><div class="label">{{.Name}} readiness</div><div class="big">{{pct .Total.Percent}}</div>
<div class="muted">{{pct .Total.Assessed}} of {{.Total.Total}} requirements assessed</div></div>
{{if .Coverage}}<div class="card"><div class="label">{{.Name}} covered by {{.Coverage.By}} work</div><div class="big">{{pct .Coverage.Percent}}</div>
<div class="muted">{{.Coverage.Covered}} of {{.Coverage.Of}} applicable requirements have an implemented or partial counterpart</div></div>{{end}}
{{end}}<div class="card"><div class="label">Open actions</div><div class="big">{{len .Actions}}</div><div class="muted">gaps and treatments to close</div></div>
</div>
</section>

<section id="readiness">
<h2>Readiness per standard</h2>
<p class="muted">Readiness counts implemented as 1 and partially implemented as ½ over the applicable requirements.</p>
<div class="legend">{{range .Legend}}<span><i style="background:{{.Colour}}"></i>{{.Label}}</span>{{end}}</div>
{{range .Views}}
<h3>{{.Name}}</h3>
<table class="bars" role="presentation">
<tr><td class="name"><strong>All requirements</strong></td><td>{{template "bar" .Total}}</td><td class="num"><strong>{{pct .Total.Percent}}</strong></td></tr>
{{range .Groups}}<tr><td class="name">{{.Label}}</td><td>{{template "bar" .}}</td><td class="num">{{pct .Percent}}</td></tr>
{{end}}</table>
<p class="muted">Statement of Applicability: {{.SoA.Controls}} controls — {{.SoA.Applicable}} applicable ({{.SoA.Implemented}} implemented), {{.SoA.Excluded}} excluded, {{.SoA.Undecided}} not yet decided.</p>
{{end}}
</section>
{{template "soa" .SoAView}}
{{template "docs-body" .Docs}}
{{template "method" .Method}}
{{.Parts}}
{{template "plan" .Plan}}
{{template "actions" .ActionsView}}

<section id="contents">
<h2>In this pack</h2>
<table>
<tbody>
{{range .Contents}}<tr><td><code>{{.Path}}</code></td><td>{{.What}}</td></tr>
{{end}}</tbody></table>
</section>

{{template "actions-annex" .ActionsView}}
{{if .DocsLong}}{{template "docs-annex" .Docs}}{{end}}
{{template "soa-annex" .SoAView}}
{{template "plan-annex" .Plan}}
{{template "history-annex" .History}}
<footer>
Made by annex {{.Version}} from the workspace as it was on {{.At}} ({{.Changes}} recorded changes).
Every file of this pack is listed with its SHA-256 in manifest.json; check the pack with <code>annex verify</code>.
</footer>
</main>
</body>
</html>
{{define "bar"}}<svg width="100%" height="16" viewBox="0 0 100 16" preserveAspectRatio="none" role="img" aria-label="{{.Label}}: {{pct .Percent}}"><rect x="0" y="2" width="100" height="12" fill="#f6f8fa"/>{{range .Segments}}<rect x="{{f1 .X}}" y="2" width="{{f1 .W}}" height="12" fill="{{.Colour}}"><title>{{.Label}}: {{.Count}}</title></rect>{{end}}</svg>{{end}}
`
