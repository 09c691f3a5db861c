//! The report page: plain HTML with inline SVG and CSS, nothing fetched from a network.

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The small Markdown the survey uses: `#`/`##` headings, `**bold**`, paragraphs.
pub fn markdown(md: &str) -> String {
    let mut out = String::new();
    for block in md.split("\n\n") {
        let b = block.trim();
        if b.is_empty() {
            continue;
        }
        if let Some(h) = b.strip_prefix("## ") {
            out.push_str(&format!("<h3>{}</h3>\n", esc(h)));
        } else if let Some(h) = b.strip_prefix("# ") {
            out.push_str(&format!("<h3>{}</h3>\n", esc(h)));
        } else {
            let mut text = esc(b);
            while let (Some(a), true) = (text.find("**"), text.matches("**").count() >= 2) {
                text.replace_range(a..a + 2, "<strong>");
                if let Some(z) = text.find("**") {
                    text.replace_range(z..z + 2, "</strong>");
                }
            }
            out.push_str(&format!("<p>{text}</p>\n"));
        }
    }
    out
}

/// A page being assembled.
#[derive(Default)]
pub struct Page {
    pub title: String,
    body: String,
    toc: Vec<(String, String)>,
}

impl Page {
    pub fn section(&mut self, title: &str) {
        let id = format!("s{}", self.toc.len() + 1);
        self.body.push_str(&format!("<h2 id=\"{id}\">{}</h2>\n", esc(title)));
        self.toc.push((id, title.to_string()));
    }

    /// A paragraph of already-escaped HTML.
    pub fn para(&mut self, html: &str) {
        self.body.push_str(&format!("<p>{html}</p>\n"));
    }

    pub fn raw(&mut self, html: &str) {
        self.body.push_str(html);
    }

    pub fn chart(&mut self, title: &str, svg: &str) {
        self.body.push_str(&format!("<figure>{svg}<figcaption>{}</figcaption></figure>\n", esc(title)));
    }

    pub fn table(&mut self, header: &[&str], rows: &[Vec<String>]) {
        self.body.push_str("<table><thead><tr>");
        for h in header {
            self.body.push_str(&format!("<th>{}</th>", esc(h)));
        }
        self.body.push_str("</tr></thead><tbody>\n");
        for r in rows {
            let missed = r.iter().any(|c| c == "missed");
            self.body.push_str(if missed { "<tr class=\"missed\">" } else { "<tr>" });
            for c in r {
                self.body.push_str(&format!("<td>{}</td>", esc(c).replace('\n', "<br>")));
            }
            self.body.push_str("</tr>\n");
        }
        self.body.push_str("</tbody></table>\n");
    }

    pub fn render(&self, kind: &str, source: &str) -> String {
        let toc: String = self.toc.iter().map(|(id, t)| format!("<li><a href=\"#{id}\">{}</a></li>", esc(t))).collect();
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\n<style>{CSS}</style></head>\n<body><h1>{title}</h1>\n<p class=\"meta\">Perelom {version} {kind} report of <code>{source}</code>. Self-contained: charts are embedded; the same charts are saved as SVG files beside this page.</p>\n<nav><ul>{toc}</ul></nav>\n{body}</body></html>\n",
            title = esc(&self.title),
            version = env!("CARGO_PKG_VERSION"),
            source = esc(source),
            body = self.body,
        )
    }
}

const CSS: &str = "body{font-family:Georgia,serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}\
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;margin-top:2em}h3{margin-bottom:.2em}\
table{border-collapse:collapse;font-size:.85em;margin:1em 0}td,th{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}\
tr.missed td{background:#fde2e2}figure{margin:1em 0}figcaption{font-size:.85em;color:#555}.meta{color:#555;font-size:.9em}\
nav ul{columns:2;font-size:.9em}svg{max-width:100%;height:auto}";
