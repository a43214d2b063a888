//! A small, valid PDF writer for demo invoices: one page of text in Helvetica, with a correct
//! cross-reference table so viewers open it without repair.

/// Escapes text for a PDF string literal; non-ASCII becomes `?` (the standard font is Latin).
fn escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '(' | ')' | '\\' => format!("\\{c}"),
            c if c.is_ascii() && !c.is_ascii_control() => c.to_string(),
            '€' => "EUR".to_owned(),
            _ => "?".to_owned(),
        })
        .collect()
}

/// A one-page PDF with a title and lines of text; `padding` adds that many bytes of comment
/// lines inside the content stream (for large-download benchmarks) without changing the page.
pub fn document(title: &str, lines: &[String], padding: usize) -> Vec<u8> {
    let mut content = String::from("BT /F1 20 Tf 56 780 Td (");
    content.push_str(&escape(title));
    content.push_str(") Tj /F1 11 Tf 0 -32 Td 15 TL\n");
    for line in lines {
        content.push_str(&format!("({}) Tj T*\n", escape(line)));
    }
    content.push_str("ET\n");
    let mut pad = String::new();
    while pad.len() < padding {
        pad.push_str("% demo padding: lorem ipsum dolor sit amet, consectetur adipiscing elit\n");
    }
    content.push_str(&pad);

    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>".to_owned(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{content}endstream", content.len()),
    ];
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_a_pdf_with_a_consistent_xref() {
        let pdf = document("Invoice (1)", &["Total: 12.00 €".into()], 0);
        assert!(pdf.starts_with(b"%PDF-1.4"));
        assert!(pdf.ends_with(b"%%EOF\n"));
        let text = String::from_utf8_lossy(&pdf);
        let xref_at: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|t| t.lines().next())
            .and_then(|n| n.parse().ok())
            .unwrap();
        assert!(pdf[xref_at..].starts_with(b"xref"));
        // Every object offset points at "N 0 obj".
        let table = String::from_utf8(pdf[xref_at..].to_vec()).unwrap();
        for (n, line) in table.lines().skip(3).take(5).enumerate() {
            let off: usize = line[..10].parse().unwrap();
            assert!(pdf[off..].starts_with(format!("{} 0 obj", n + 1).as_bytes()));
        }
        assert!(text.contains("Invoice \\(1\\)"));
    }

    #[test]
    fn padding_grows_the_file() {
        assert!(document("x", &[], 1_000_000).len() > 1_000_000);
    }
}
