//! Snapshots (insta) of the data series behind each chart of the demo report — the numbers a
//! runner sees drawn, not the SVG bytes.

use std::path::Path;

use patella::analysis::{self, Settings, WeekStart};
use patella::ingest::{self, Limits};
use patella::report::html;
use serde_json::Value;

/// Numbers rounded to 3 decimals, so a snapshot shows what matters and not float noise.
fn rounded(v: Value) -> Value {
    match v {
        Value::Number(n) => match n.as_f64() {
            Some(x) if n.is_f64() => serde_json::json!((x * 1000.0).round() / 1000.0),
            _ => Value::Number(n),
        },
        Value::Array(a) => Value::Array(a.into_iter().map(rounded).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, rounded(v))).collect()),
        other => other,
    }
}

#[test]
fn demo_chart_series() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo");
    let loaded = ingest::read_paths(&[demo], &Limits::default());
    let settings = Settings::new(chrono_tz::America::New_York, WeekStart::Mon);
    let result = analysis::analyse(&loaded.activities, loaded.skipped, &settings).unwrap();
    let data = html::chart_data(&result);
    insta::assert_yaml_snapshot!(
        "weekly_km",
        rounded(serde_json::to_value(&data.weeks).unwrap())
    );
    insta::assert_yaml_snapshot!("load", rounded(serde_json::to_value(&data.load).unwrap()));
    insta::assert_yaml_snapshot!(
        "cadence",
        rounded(serde_json::to_value(&data.cadence).unwrap())
    );
    // The distribution chart draws the analysis' own bins.
    insta::assert_yaml_snapshot!(
        "cadence_distribution",
        rounded(serde_json::to_value(&result.cadence_distribution).unwrap())
    );
    insta::assert_yaml_snapshot!(
        "descent",
        rounded(serde_json::to_value(&data.descent).unwrap())
    );
    insta::assert_yaml_snapshot!(
        "long_runs",
        rounded(serde_json::to_value(&data.long_runs).unwrap())
    );
}
