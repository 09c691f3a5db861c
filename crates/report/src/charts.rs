//! Line charts with optional interval bands, drawn as SVG with plotters.

use plotters::prelude::*;

/// One line of a chart, with an optional band (low, high) around it.
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
    pub band: Option<(Vec<f64>, Vec<f64>)>,
}

const COLOURS: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

/// An SVG line chart over `x` (steps), labelled by `x_label(step)`.
pub fn line_chart(title: &str, x: &[f64], series: &[Series], x_label: &dyn Fn(f64) -> String) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 300)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let finite = |v: &f64| v.is_finite();
        let all = series
            .iter()
            .flat_map(|s| s.values.iter().chain(s.band.iter().flat_map(|(l, h)| l.iter().chain(h.iter()))))
            .copied()
            .filter(finite);
        let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
        let (lo, hi) = if lo.is_finite() { (lo.min(0.0), if hi > lo { hi * 1.05 } else { lo + 1.0 }) } else { (0.0, 1.0) };
        let (x0, x1) = (x.first().copied().unwrap_or(0.0), x.last().copied().unwrap_or(1.0).max(x.first().copied().unwrap_or(0.0) + 1.0));
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(60)
            .build_cartesian_2d(x0..x1, lo..hi)
            .map_err(|e| e.to_string())?;
        chart.configure_mesh().x_labels(8).y_labels(6).x_label_formatter(&|v| x_label(*v)).draw().map_err(|e| e.to_string())?;
        for (i, s) in series.iter().enumerate() {
            let colour = COLOURS[i % COLOURS.len()];
            if let Some((l, h)) = &s.band {
                let upper = x.iter().zip(h).map(|(&a, &b)| (a, b));
                let lower = x.iter().zip(l).rev().map(|(&a, &b)| (a, b));
                let poly: Vec<(f64, f64)> = upper.chain(lower).filter(|p| p.1.is_finite()).collect();
                chart.draw_series(std::iter::once(Polygon::new(poly, colour.mix(0.18).filled()))).map_err(|e| e.to_string())?;
            }
            chart
                .draw_series(LineSeries::new(
                    x.iter().zip(&s.values).filter(|p| p.1.is_finite()).map(|(&a, &b)| (a, b)),
                    colour.stroke_width(2),
                ))
                .map_err(|e| e.to_string())?
                .label(s.name.clone())
                .legend(move |(a, b)| PathElement::new(vec![(a, b), (a + 16, b)], colour.stroke_width(2)));
        }
        if series.len() > 1 || series.iter().any(|s| s.band.is_some()) {
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK.mix(0.3))
                .position(SeriesLabelPosition::UpperLeft)
                .draw()
                .map_err(|e| e.to_string())?;
        }
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// A horizontal bar chart of labelled values (e.g. effect sizes), zero marked.
pub fn bar_chart(title: &str, bars: &[(String, f64)]) -> Result<String, String> {
    let mut svg = String::new();
    {
        let h = 60 + 22 * bars.len().max(1) as u32;
        let root = SVGBackend::with_string(&mut svg, (760, h)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let m = bars.iter().map(|b| b.1.abs()).filter(|v| v.is_finite()).fold(0.1, f64::max) * 1.1;
        let n = bars.len().max(1);
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(25)
            .y_label_area_size(260)
            .build_cartesian_2d(-m..m, (0..n).into_segmented())
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n)
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) if *i < n => bars.get(n - 1 - *i).map(|b| b.0.clone()).unwrap_or_default(),
                _ => String::new(),
            })
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(bars.iter().enumerate().filter(|(_, b)| b.1.is_finite()).map(|(i, b)| {
                let y = n - 1 - i;
                let colour = if b.1 >= 0.0 { COLOURS[0] } else { COLOURS[1] };
                let mut r = Rectangle::new([(0.0, SegmentValue::Exact(y)), (b.1, SegmentValue::Exact(y + 1))], colour.filled());
                r.set_margin(3, 3, 0, 0);
                r
            }))
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}
