//! A bar chart drawn as SVG on the server (readable without JavaScript), with its data as a
//! table for screen readers and copy-paste.

use leptos::prelude::*;

/// One bar: its label (x axis), its value, and the value as text.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub text: String,
}

const W: f64 = 640.0;
const H: f64 = 220.0;
const PAD_L: f64 = 8.0;
const PAD_B: f64 = 24.0;
const PAD_T: f64 = 16.0;

/// Bar geometry: (x, y, width, height) per bar, and the y of the zero line. Negative values
/// hang below the zero line. Pure, for tests.
pub fn layout(values: &[f64]) -> (Vec<(f64, f64, f64, f64)>, f64) {
    let max = values.iter().copied().fold(0.0_f64, f64::max);
    let min = values.iter().copied().fold(0.0_f64, f64::min);
    let span = if max - min > 0.0 { max - min } else { 1.0 };
    let plot_h = H - PAD_B - PAD_T;
    let zero = PAD_T + plot_h * (max / span);
    let n = values.len().max(1) as f64;
    let slot = (W - PAD_L * 2.0) / n;
    let bars = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let h = plot_h * (v.abs() / span);
            let y = if *v >= 0.0 { zero - h } else { zero };
            (PAD_L + slot * i as f64 + slot * 0.15, y, slot * 0.7, h)
        })
        .collect();
    (bars, zero)
}

/// The chart, with `caption` as its accessible name.
#[component]
pub fn BarChart(caption: String, bars: Vec<Bar>) -> impl IntoView {
    let values: Vec<f64> = bars.iter().map(|b| b.value).collect();
    let (geom, zero) = layout(&values);
    let slot = (W - PAD_L * 2.0) / bars.len().max(1) as f64;
    let drawn = bars
        .iter()
        .zip(geom)
        .enumerate()
        .map(|(i, (b, (x, y, w, h)))| {
            let class = if b.value < 0.0 { "bar negative" } else { "bar" };
            let tip = format!("{}: {}", b.label, b.text);
            let label_x = PAD_L + slot * i as f64 + slot / 2.0;
            view! {
                <g>
                    <rect class=class x=format!("{x:.1}") y=format!("{y:.1}") width=format!("{w:.1}") height=format!("{:.1}", h.max(0.5))>
                        <title>{tip}</title>
                    </rect>
                    <text class="bar-label" x=format!("{label_x:.1}") y=format!("{:.1}", H - 6.0) text-anchor="middle">
                        {b.label.clone()}
                    </text>
                </g>
            }
        })
        .collect_view();
    let rows = bars
        .iter()
        .map(|b| view! { <tr><td>{b.label.clone()}</td><td class="num">{b.text.clone()}</td></tr> })
        .collect_view();
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=caption.clone() preserveAspectRatio="none">
                <line class="axis" x1="0" x2=format!("{W}") y1=format!("{zero:.1}") y2=format!("{zero:.1}") />
                {drawn}
            </svg>
            <figcaption>{caption}</figcaption>
            <details>
                <summary>"Chart data"</summary>
                <div class="table-scroll" role="region" tabindex="0" aria-label="Chart data"><table class="data">
                    <thead><tr><th>"Month"</th><th class="num">"Total"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table></div>
            </details>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_value_and_negatives_hang_below_zero() {
        let (bars, zero) = layout(&[100.0, 50.0, -50.0, 0.0]);
        let plot_h = H - PAD_B - PAD_T;
        assert!((bars[0].3 - plot_h * (100.0 / 150.0)).abs() < 1e-9);
        assert!((bars[1].3 * 2.0 - bars[0].3).abs() < 1e-9);
        assert!(
            (bars[0].1 + bars[0].3 - zero).abs() < 1e-9,
            "positive bars end on the zero line"
        );
        assert!((bars[2].1 - zero).abs() < 1e-9, "negative bars start on it");
        assert_eq!(bars[3].3, 0.0);
        assert!(bars.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn an_empty_or_flat_chart_does_not_divide_by_zero() {
        let (bars, zero) = layout(&[0.0, 0.0]);
        assert!(zero.is_finite() && bars.iter().all(|b| b.3 == 0.0));
        assert!(layout(&[]).0.is_empty());
    }
}
