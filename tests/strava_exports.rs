//! Strava bulk exports in every language and era (issue 27), generated here: the same six
//! sessions written as Strava writes them in English, Dutch, German, French, Italian, Spanish,
//! Portuguese and a language patella does not know, in 77 to 103 columns, plus the pre-July-2019
//! format. Each is read through the library (rows, dates, distances, sports) and through the
//! binary (a zip of the CSV and a FIT file): every session counts once, none is "not an activity
//! file".
//!
//! The quirks each export carries: a run with a FIT file whose name is not its Activity ID, a
//! strength session and a run entered by hand (`Filename` empty), a swim whose first `Distance`
//! is metres with a thousands separator, a ride whose `Filename` is `#error#`, a type no language
//! names, a quoted description over several lines with a CRLF inside an LF file, rows newest
//! first, and header cells that are `translation missing: …` or HTML.

use std::path::Path;

use assert_cmd::Command;
use chrono::{DateTime, TimeZone, Utc};
use patella::ingest::export::{self, Manifest};
use patella::model::Sport;
use serde_json::Value;

/// How one language writes the export.
struct Lang {
    code: &'static str,
    /// ID, date, name, type, description, elapsed, distance, gear, filename, moving.
    header: [&'static str; 10],
    date: fn(DateTime<Utc>) -> String,
    decimal_comma: bool,
    /// Run, Weight Training, Ride, Swim.
    types: [&'static str; 4],
    columns: usize,
}

const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const MONTHS_NL: [&str; 12] = [
    "jan.", "feb.", "mrt.", "apr.", "mei", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "dec.",
];
const MONTHS_FR: [&str; 12] = [
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
    "déc.",
];
const MONTHS_IT: [&str; 12] = [
    "gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic",
];
const MONTHS_ES: [&str; 12] = [
    "ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic",
];
const MONTHS_PT: [&str; 12] = [
    "jan.", "fev.", "mar.", "abr.", "mai.", "jun.", "jul.", "ago.", "set.", "out.", "nov.", "dez.",
];

fn month(t: DateTime<Utc>, names: &[&str; 12]) -> String {
    use chrono::Datelike;
    names[t.month0() as usize].to_string()
}

fn langs() -> Vec<Lang> {
    vec![
        Lang {
            code: "en",
            header: [
                "Activity ID",
                "Activity Date",
                "Activity Name",
                "Activity Type",
                "Activity Description",
                "Elapsed Time",
                "Distance",
                "Activity Gear",
                "Filename",
                "Moving Time",
            ],
            date: |t| format!("{}", t.format("%b %-d, %Y, %-I:%M:%S\u{202f}%p")),
            decimal_comma: false,
            types: ["Run", "Weight Training", "Ride", "Swim"],
            columns: 94,
        },
        Lang {
            code: "nl",
            header: [
                "Activiteits-ID",
                "Datum van activiteit",
                "Naam activiteit",
                "Activiteitstype",
                "Beschrijving van activiteit",
                "Verstreken tijd",
                "Afstand",
                "Uitrusting voor activiteit",
                "Bestandsnaam",
                "Beweegtijd",
            ],
            date: |t| {
                format!(
                    "{} {} {}",
                    t.format("%-d"),
                    month(t, &MONTHS_NL),
                    t.format("%Y %H:%M:%S")
                )
            },
            decimal_comma: true,
            types: ["Hardloopsessie", "Krachttraining", "Fietsrit", "Zwemmen"],
            columns: 87,
        },
        Lang {
            code: "de",
            header: [
                "Aktivitäts-ID",
                "Aktivitätsdatum",
                "Name der Aktivität",
                "Aktivitätsart",
                "Aktivitätsbeschreibung",
                "Verstrichene Zeit",
                "Distanz",
                "Aktivitätsausrüstung",
                "Dateiname",
                "Bewegungszeit",
            ],
            date: |t| format!("{}", t.format("%d.%m.%Y, %H:%M:%S")),
            decimal_comma: true,
            types: ["Lauf", "Krafttraining", "Radfahrt", "Schwimmen"],
            columns: 99,
        },
        Lang {
            code: "fr",
            header: [
                "ID de l'activité",
                "Date de l'activité",
                "Nom de l'activité",
                "Type d'activité",
                "Description de l'activité",
                "Temps écoulé",
                "Distance",
                "Équipement de l'activité",
                "Nom du fichier",
                "Temps de déplacement",
            ],
            date: |t| {
                format!(
                    "{} {} {}",
                    t.format("%-d"),
                    month(t, &MONTHS_FR),
                    t.format("%Y à %H:%M:%S")
                )
            },
            decimal_comma: true,
            types: [
                "Course à pied",
                "Entraînement aux poids",
                "Sortie à vélo",
                "Natation",
            ],
            columns: 78,
        },
        Lang {
            code: "it",
            header: [
                "ID attività",
                "Data dell\u{2019}attività",
                "Nome attività",
                "Tipo attività",
                "Descrizione dell\u{2019}attività",
                "Tempo trascorso",
                "Distanza",
                "Attrezzatura attività",
                "Nome del file",
                "Tempo in movimento",
            ],
            date: |t| {
                format!(
                    "{} {} {}",
                    t.format("%-d"),
                    month(t, &MONTHS_IT),
                    t.format("%Y, %H:%M:%S")
                )
            },
            decimal_comma: true,
            types: ["Corsa", "Allenamento con i pesi", "Giro in bici", "Nuoto"],
            columns: 77,
        },
        Lang {
            code: "es",
            header: [
                "Id. de actividad",
                "Fecha de la actividad",
                "Nombre de la actividad",
                "Tipo de actividad",
                "Descripción de la actividad",
                "Tiempo transcurrido",
                "Distancia",
                "Equipo de la actividad",
                "Nombre del archivo",
                "Tiempo en movimiento",
            ],
            date: |t| {
                let pm = if t.format("%p").to_string() == "PM" {
                    "p.\u{a0}m."
                } else {
                    "a.\u{a0}m."
                };
                format!(
                    "{} {} {}\u{202f}{pm}",
                    t.format("%-d"),
                    month(t, &MONTHS_ES),
                    t.format("%Y, %-I:%M:%S")
                )
            },
            decimal_comma: true,
            types: [
                "Carrera",
                "Entrenamiento con pesas",
                "Bicicleta",
                "Natación",
            ],
            columns: 103,
        },
        Lang {
            code: "pt",
            header: [
                "ID da atividade",
                "Data da atividade",
                "Nome da atividade",
                "Tipo de atividade",
                "Descrição da atividade",
                "Tempo decorrido",
                "Distância",
                "Equipamento da atividade",
                "Nome do arquivo",
                "Tempo em movimento",
            ],
            date: |t| {
                format!(
                    "{} de {} de {}",
                    t.format("%-d"),
                    month(t, &MONTHS_PT),
                    t.format("%Y, %H:%M:%S")
                )
            },
            decimal_comma: true,
            types: ["Corrida", "Musculação", "Pedalada", "Natação"],
            columns: 90,
        },
        // A language patella has no table for: read by the layout and the values.
        Lang {
            code: "xx",
            header: [
                "Tunnus",
                "Päivä",
                "Nimi",
                "Laji",
                "Kuvaus",
                "Kesto",
                "Matka",
                "Varuste",
                "Tiedosto",
                "Liikkeellä",
            ],
            date: |t| {
                format!(
                    "{} {} {}",
                    t.format("%-d"),
                    month(t, &MONTHS_EN),
                    t.format("%Y, %H:%M:%S")
                )
            },
            decimal_comma: true,
            types: ["Juoksu", "Kuntosali", "Pyöräily", "Uinti"],
            columns: 80,
        },
    ]
}

/// One session of the export.
struct Session {
    id: u64,
    /// Index into `Lang::types`, or `None` for a type no language names.
    kind: Option<usize>,
    start: DateTime<Utc>,
    elapsed_s: u32,
    moving_s: u32,
    distance_m: f64,
    file: &'static str,
    name: &'static str,
}

fn start(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 9, day, hour, 5, 7).unwrap()
}

/// Oldest first; the CSV lists them newest first.
fn sessions() -> Vec<Session> {
    vec![
        Session {
            id: 15_000_000_001,
            kind: Some(0),
            start: start(1, 6),
            elapsed_s: 2700,
            moving_s: 2650,
            distance_m: 8000.0,
            file: "fit",
            name: "Tempo",
        },
        Session {
            id: 15_000_000_002,
            kind: Some(1),
            start: start(2, 17),
            elapsed_s: 2400,
            moving_s: 2400,
            distance_m: 0.0,
            file: "",
            name: "Gym",
        },
        Session {
            id: 15_000_000_003,
            kind: Some(0),
            start: start(3, 18),
            elapsed_s: 1800,
            moving_s: 1750,
            distance_m: 5000.0,
            file: "",
            name: "Treadmill",
        },
        Session {
            id: 15_000_000_004,
            kind: Some(3),
            start: start(4, 7),
            elapsed_s: 2200,
            moving_s: 2100,
            distance_m: 1600.0,
            file: "",
            name: "Pool",
        },
        Session {
            id: 15_000_000_005,
            kind: Some(2),
            start: start(5, 16),
            elapsed_s: 3600,
            moving_s: 3500,
            distance_m: 25_000.0,
            file: "#error#",
            name: "Commute",
        },
        Session {
            id: 15_000_000_006,
            kind: None,
            start: start(6, 10),
            elapsed_s: 3000,
            moving_s: 2900,
            distance_m: 0.0,
            file: "",
            name: "Match",
        },
    ]
}

const FIT_NAME: &str = "activities/16000123456.fit.gz";

fn csv_cell(v: &str) -> String {
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_string()
    }
}

/// The display number as the language writes it: two decimals, its decimal mark, metres with a
/// thousands separator for a swim.
fn display(v: f64, comma: bool, thousands: bool) -> String {
    if thousands {
        let whole = v.round() as u64;
        let sep = if comma { "." } else { "," };
        return format!("{}{sep}{:03}", whole / 1000, whole % 1000);
    }
    let s = format!("{v:.2}");
    if comma {
        s.replace('.', ",")
    } else {
        s
    }
}

/// The activities.csv of `lang`: Strava's layout (elapsed time and distance at 5 and 6, gear
/// just before Filename, elapsed, moving and distance again three after it), filled to
/// `lang.columns` with other columns, the English ones as `translation missing` or HTML.
fn activities_csv(lang: &Lang) -> String {
    let h = &lang.header;
    let mut header: Vec<String> = vec![
        h[0], h[1], h[2], h[3], h[4], h[5], h[6], "c7", "c8", "c9", "c10", h[7], h[8], "c13",
        "c14", h[5], h[9], h[6],
    ]
    .into_iter()
    .map(String::from)
    .collect();
    while header.len() < lang.columns - 2 {
        header.push(format!("c{}", header.len()));
    }
    header.push(
        "translation missing: en-US.lib.export.portability_exporter.activities.horton_values.type"
            .into(),
    );
    header.push(
        "<span class=\"translation_missing\" title=\"translation missing: en-US.lib.x.start_time\">\
         Start Time</span>"
            .into(),
    );
    let mut out = header
        .iter()
        .map(|c| csv_cell(c))
        .collect::<Vec<_>>()
        .join(",");
    out.push('\n');
    for s in sessions().iter().rev() {
        let swim = s.kind == Some(3);
        let mut cells = vec![String::new(); lang.columns];
        cells[0] = s.id.to_string();
        cells[1] = (lang.date)(s.start);
        cells[2] = s.name.into();
        cells[3] = match s.kind {
            Some(k) => lang.types[k].into(),
            None => "Quidditch".into(),
        };
        if s.kind == Some(0) && !s.file.is_empty() {
            // A description over three lines, the second ending CRLF in this LF file.
            cells[4] = "Warm-up, then\r\n3 x 2 km\nand home".into();
        }
        cells[5] = s.elapsed_s.to_string();
        if s.distance_m > 0.0 {
            cells[6] = if swim {
                display(s.distance_m, lang.decimal_comma, true)
            } else {
                display(s.distance_m / 1000.0, lang.decimal_comma, false)
            };
            cells[17] = format!("{:.1}", s.distance_m);
        }
        cells[11] = if s.kind == Some(0) {
            "Pegasus 40".into()
        } else {
            String::new()
        };
        cells[12] = match s.file {
            "fit" => FIT_NAME.into(),
            other => other.into(),
        };
        cells[15] = format!("{:.1}", s.elapsed_s);
        cells[16] = format!("{:.1}", s.moving_s);
        out.push_str(
            &cells
                .iter()
                .map(|c| csv_cell(c))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push('\n');
    }
    out
}

/// The pre-July-2019 activities.csv: ISO dates in UTC, metres, files named by the activity id.
fn legacy_csv() -> String {
    let mut out =
        String::from("id,date,name,type,description,elapsed_time,distance,commute,gear,filename\n");
    for s in sessions().iter().rev() {
        let kind = match s.kind {
            Some(k) => ["Run", "Weight Training", "Ride", "Swim"][k],
            None => "Quidditch",
        };
        let file = match s.file {
            "fit" => format!("activities/{}.fit.gz", s.id),
            other => other.to_string(),
        };
        let distance = if s.distance_m > 0.0 {
            format!("{:.1}", s.distance_m)
        } else {
            String::new()
        };
        out.push_str(&format!(
            "{},{},{},{kind},,{},{distance},false,,{file}\n",
            s.id,
            s.start.format("%Y-%m-%d %H:%M:%S"),
            s.name,
            s.elapsed_s,
        ));
    }
    out
}

fn fit_file() -> Vec<u8> {
    let s = &sessions()[0];
    let a = patella::synth::simulate(&patella::synth::RunPlan {
        start_utc: s.start,
        distance_m: s.distance_m,
        pace_s_per_km: 330.0,
        seed: 7,
        ..Default::default()
    });
    patella::synth::gzip(&patella::synth::to_fit(&a))
}

/// (name, sport, distance m, start) of a row.
type Row = (String, Sport, Option<f64>, DateTime<Utc>);

/// The members of an export's zip: (name, bytes).
type Members = Vec<(String, Vec<u8>)>;

/// Each row, oldest first, and every warning.
fn read_rows(csv: &str) -> (Vec<Row>, Vec<String>) {
    let source = "export.zip!activities.csv";
    let head = &csv[..csv.len().min(4096)];
    assert_eq!(
        export::sniff(source, head),
        Some(Manifest::Strava),
        "{head}"
    );
    let (rows, skipped) = export::read(Manifest::Strava, source, csv.as_bytes());
    assert!(skipped.is_empty(), "{skipped:?}");
    let warnings = rows.iter().flat_map(|r| r.warnings.clone()).collect();
    let mut got: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                r.name.clone().unwrap_or_default(),
                r.sport,
                r.distance_m.map(|d| (d * 10.0).round() / 10.0),
                r.start_utc,
            )
        })
        .collect();
    got.reverse();
    (got, warnings)
}

fn expected_rows() -> Vec<Row> {
    let sports = [
        Sport::Running,
        Sport::Strength,
        Sport::Running,
        Sport::Swimming,
        Sport::Cycling,
        Sport::Other,
    ];
    sessions()
        .iter()
        .zip(sports)
        .map(|(s, sport)| {
            let d = (s.distance_m > 0.0).then_some(s.distance_m);
            (s.name.to_string(), sport, d, s.start)
        })
        .collect()
}

#[test]
fn every_language_reads_the_same_rows_through_the_library() {
    for lang in langs() {
        let csv = activities_csv(&lang);
        let header = csv.lines().next().unwrap();
        assert_eq!(header.split(',').count(), lang.columns, "{}", lang.code);
        let (rows, warnings) = read_rows(&csv);
        let mut want = expected_rows();
        if lang.code == "xx" {
            // An unknown language: its types are unknown too, counted as other.
            for (w, s) in want.iter_mut().zip(sessions()) {
                if s.kind.is_some() {
                    w.1 = Sport::Other;
                }
            }
        }
        assert_eq!(rows, want, "{}", lang.code);
        let src = "export.zip!activities.csv";
        let error_row = format!(
            "{src} row 2 (activity 15000000005): Filename is #error# (Strava did not export its \
             file); counted from the manifest"
        );
        let quidditch = format!(
            "{src} row 1 (activity 15000000006): unknown activity type \"Quidditch\", counted as \
             other"
        );
        if lang.code == "xx" {
            assert_eq!(warnings.len(), 7, "{warnings:?}");
            assert!(
                warnings[0].starts_with(&format!(
                    "{src}: header in a language or layout not known; columns taken by their \
                     place and values: \"Tunnus\" as activity ID, \"Päivä\" as date"
                )),
                "{warnings:?}"
            );
        } else {
            assert_eq!(warnings, [quidditch, error_row], "{}", lang.code);
        }
    }
}

#[test]
fn the_pre_2019_format_reads_metres_and_utc_through_the_library() {
    let (rows, warnings) = read_rows(&legacy_csv());
    assert_eq!(rows, expected_rows());
    assert_eq!(warnings.len(), 2, "{warnings:?}");
}

fn analyse(path: &Path) -> (Value, String) {
    let out = Command::cargo_bin("patella")
        .unwrap()
        .args(["analyse", "--json", "--no-store", "--tz", "UTC"])
        .arg(path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    (serde_json::from_slice(&out.stdout).unwrap(), stderr)
}

/// (name, sport, origin, distance km to 0.1) of every counted activity, by start.
fn counted(doc: &Value) -> Vec<(String, String, String, f64)> {
    doc["activities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["duplicate_of"].is_null())
        .map(|a| {
            (
                a["name"].as_str().unwrap_or("").to_string(),
                a["sport"].as_str().unwrap().to_string(),
                a["origin"].as_str().unwrap().to_string(),
                (a["distance_m"].as_f64().unwrap_or(0.0) / 100.0).round() / 10.0,
            )
        })
        .collect()
}

#[test]
fn every_language_and_era_counts_each_session_once_through_the_binary() {
    let tmp = tempfile::tempdir().unwrap();
    let mut exports: Vec<(String, Members)> = langs()
        .iter()
        .map(|l| {
            (
                l.code.to_string(),
                vec![
                    ("activities.csv".to_string(), activities_csv(l).into_bytes()),
                    (FIT_NAME.to_string(), fit_file()),
                ],
            )
        })
        .collect();
    exports.push((
        "2018".to_string(),
        vec![
            ("activities.csv".to_string(), legacy_csv().into_bytes()),
            ("activities/15000000001.fit.gz".to_string(), fit_file()),
        ],
    ));
    for (code, members) in exports {
        let zip = tmp.path().join(format!("export_{code}.zip"));
        std::fs::write(&zip, patella::synth::zip(&members).unwrap()).unwrap();
        let (doc, stderr) = analyse(&zip);
        let got = counted(&doc);
        let other = |s: &str| {
            if code == "xx" {
                "other".to_string()
            } else {
                s.to_string()
            }
        };
        let w = |n: &str, sport: String, origin: &str, km: f64| {
            (n.to_string(), sport, origin.to_string(), km)
        };
        assert_eq!(
            got,
            [
                // A file keeps its own sport where the row's type is unknown.
                w("Tempo", "running".into(), "file", 8.0),
                w("Gym", other("strength"), "strava-csv", 0.0),
                w("Treadmill", other("running"), "strava-csv", 5.0),
                w("Pool", other("swimming"), "strava-csv", 1.6),
                w("Commute", other("cycling"), "strava-csv", 25.0),
                w("Match", "other".into(), "strava-csv", 0.0),
            ],
            "{code}: {stderr}"
        );
        assert!(!stderr.contains("not an activity file"), "{code}: {stderr}");
        assert_eq!(
            doc["skipped"].as_array().unwrap().len(),
            0,
            "{code}: {}",
            doc["skipped"]
        );
        let week = &doc["weeks"][0];
        assert_eq!(week["week"], "2025-W36", "{code}");
        let (run_km, strength) = if code == "xx" { (8.0, 0) } else { (13.0, 1) };
        assert_eq!(
            week["run_km"].as_f64().map(f64::round),
            Some(run_km),
            "{code}"
        );
        assert_eq!(week["strength_sessions"], strength, "{code}");
    }
}
