//! Strava's `activities.csv`, from its bulk export: one row per session, file or not.
//!
//! Strava writes the header, the activity types, the dates and the display numbers in the
//! account's language, and has changed the layout over the years, so the manifest is recognised
//! by its structure rather than by English words:
//!
//! - a header whose first four cells are the ID, date, name and type of one of [`LANGUAGES`]
//!   (`Activity ID,Activity Date,…`, `Aktivitäts-ID,Aktivitätsdatum,…`, `ID attività,…`);
//! - the pre-July-2019 header `id,date,name,type,description,elapsed_time,distance,commute,gear,
//!   filename` (ISO dates in UTC, distance in metres);
//! - failing both, an unknown language by its layout and values: an ID of digits in the first
//!   column, a date in the second, a column of `activities/…` paths. Every language and era
//!   keeps English's order (ID, date, name, type, description, elapsed time, distance first;
//!   gear just before `Filename`; elapsed time, moving time and distance again three cells after
//!   it), so the columns no name gives are taken by their place, with one warning naming them.
//!
//! The header repeats names: the first `Elapsed Time` and `Distance` are in the athlete's display
//! units (seconds and kilometres, written in the language's number format: `"4,73"`; a swim's
//! in metres: `"1,600"`), the later ones in seconds and metres with a decimal point; the later
//! ones are preferred. `Activity Date` is UTC in every language (`Sep 2, 2025, 10:30:00 AM`,
//! `23 jun. 2017 15:52:12`, `"09.12.2022, 15:24:49"`, `24 mai 2012 à 16:27:40`). `Filename`
//! (`activities/123.fit.gz`) is relative to the folder holding the CSV, inside the same export;
//! empty for a session entered by hand, `#error#` where Strava could not export the file.

use std::collections::HashMap;

use chrono::{NaiveDate, TimeZone, Utc};

use crate::model::{ManifestRow, Origin, ReadError, SkipReason, Skipped, Sport};

/// The header names of the columns patella reads, in one language of Strava's.
#[derive(Clone, Copy, Debug)]
pub struct Language {
    /// ISO 639-1 code.
    pub code: &'static str,
    pub id: &'static str,
    pub date: &'static str,
    pub name: &'static str,
    pub kind: &'static str,
    pub elapsed: &'static str,
    pub distance: &'static str,
    pub moving: &'static str,
    pub gear: &'static str,
    pub filename: &'static str,
    /// Whether its display numbers put a comma before the decimals (`"4,73"` km).
    pub decimal_comma: bool,
}

/// The header of `activities.csv` in each language seen. The first four cells of each decide
/// the language; where a later name differs from what an export writes, the column is found by
/// its place as in an unknown language.
pub const LANGUAGES: &[Language] = &[
    Language {
        code: "en",
        id: "Activity ID",
        date: "Activity Date",
        name: "Activity Name",
        kind: "Activity Type",
        elapsed: "Elapsed Time",
        distance: "Distance",
        moving: "Moving Time",
        gear: "Activity Gear",
        filename: "Filename",
        decimal_comma: false,
    },
    Language {
        code: "nl",
        id: "Activiteits-ID",
        date: "Datum van activiteit",
        name: "Naam activiteit",
        kind: "Activiteitstype",
        elapsed: "Verstreken tijd",
        distance: "Afstand",
        moving: "Beweegtijd",
        gear: "Uitrusting voor activiteit",
        filename: "Bestandsnaam",
        decimal_comma: true,
    },
    Language {
        code: "de",
        id: "Aktivitäts-ID",
        date: "Aktivitätsdatum",
        name: "Name der Aktivität",
        kind: "Aktivitätsart",
        elapsed: "Verstrichene Zeit",
        distance: "Distanz",
        moving: "Bewegungszeit",
        gear: "Aktivitätsausrüstung",
        filename: "Dateiname",
        decimal_comma: true,
    },
    Language {
        code: "fr",
        id: "ID de l'activité",
        date: "Date de l'activité",
        name: "Nom de l'activité",
        kind: "Type d'activité",
        elapsed: "Temps écoulé",
        distance: "Distance",
        moving: "Temps de déplacement",
        gear: "Équipement de l'activité",
        filename: "Nom du fichier",
        decimal_comma: true,
    },
    Language {
        code: "it",
        id: "ID attività",
        date: "Data dell'attività",
        name: "Nome attività",
        kind: "Tipo attività",
        elapsed: "Tempo trascorso",
        distance: "Distanza",
        moving: "Tempo in movimento",
        gear: "Attrezzatura attività",
        filename: "Nome del file",
        decimal_comma: true,
    },
    Language {
        code: "es",
        id: "Id. de actividad",
        date: "Fecha de la actividad",
        name: "Nombre de la actividad",
        kind: "Tipo de actividad",
        elapsed: "Tiempo transcurrido",
        distance: "Distancia",
        moving: "Tiempo en movimiento",
        gear: "Equipo de la actividad",
        filename: "Nombre del archivo",
        decimal_comma: true,
    },
    Language {
        code: "pt",
        id: "ID da atividade",
        date: "Data da atividade",
        name: "Nome da atividade",
        kind: "Tipo de atividade",
        elapsed: "Tempo decorrido",
        distance: "Distância",
        moving: "Tempo em movimento",
        gear: "Equipamento da atividade",
        filename: "Nome do arquivo",
        decimal_comma: true,
    },
];

/// The header of exports written before July 2019.
const LEGACY: [&str; 10] = [
    "id",
    "date",
    "name",
    "type",
    "description",
    "elapsed_time",
    "distance",
    "commute",
    "gear",
    "filename",
];

/// Strava's activity types and the sport each counts as (README, "Export manifests"), by the
/// name each language gives it: English, Dutch, German, French, Italian, Spanish, Portuguese
/// (`""` where a language's name is not known; a type not listed in any is `other`, with one
/// warning naming it).
pub const TYPES: &[(Sport, [&str; 7])] = &[
    // en, nl, de, fr, it, es, pt
    (
        Sport::Running,
        [
            "Run",
            "Hardloopsessie",
            "Lauf",
            "Course à pied",
            "Corsa",
            "Carrera",
            "Corrida",
        ],
    ),
    (
        Sport::Running,
        [
            "Trail Run",
            "Trailrun",
            "Traillauf",
            "Trail",
            "Trail running",
            "Carrera por montaña",
            "Corrida em trilha",
        ],
    ),
    (
        Sport::Running,
        [
            "Virtual Run",
            "Virtuele hardloopsessie",
            "Virtueller Lauf",
            "Course à pied virtuelle",
            "Corsa virtuale",
            "Carrera virtual",
            "Corrida virtual",
        ],
    ),
    (
        Sport::Strength,
        [
            "Weight Training",
            "Krachttraining",
            "Krafttraining",
            "Entraînement aux poids",
            "Allenamento con i pesi",
            "Entrenamiento con pesas",
            "Musculação",
        ],
    ),
    (
        Sport::Strength,
        [
            "Workout",
            "Training",
            "Training",
            "Entraînement",
            "Allenamento",
            "Entrenamiento",
            "Treino",
        ],
    ),
    (
        Sport::Strength,
        [
            "Crossfit", "Crossfit", "Crossfit", "Crossfit", "Crossfit", "Crossfit", "Crossfit",
        ],
    ),
    (
        Sport::Walking,
        [
            "Walk",
            "Wandeling",
            "Spaziergang",
            "Marche",
            "Camminata",
            "Caminata",
            "Caminhada",
        ],
    ),
    (
        Sport::Hiking,
        [
            "Hike",
            "Hike",
            "Wanderung",
            "Randonnée",
            "Escursione",
            "Senderismo",
            "Trilha",
        ],
    ),
    (
        Sport::Cycling,
        [
            "Ride",
            "Fietsrit",
            "Radfahrt",
            "Sortie à vélo",
            "Giro in bici",
            "Bicicleta",
            "Pedalada",
        ],
    ),
    (
        Sport::Cycling,
        [
            "Virtual Ride",
            "Virtuele fietsrit",
            "Virtuelle Radfahrt",
            "Sortie vélo virtuelle",
            "Giro in bici virtuale",
            "Bicicleta virtual",
            "Pedalada virtual",
        ],
    ),
    (
        Sport::Cycling,
        [
            "E-Bike Ride",
            "E-bikerit",
            "E-Bike-Fahrt",
            "Sortie en VAE",
            "Giro in e-bike",
            "Bicicleta eléctrica",
            "Pedalada elétrica",
        ],
    ),
    (
        Sport::Cycling,
        [
            "Mountain Bike Ride",
            "Mountainbikerit",
            "Mountainbike-Fahrt",
            "Sortie VTT",
            "Giro in mountain bike",
            "Bicicleta de montaña",
            "Pedalada de mountain bike",
        ],
    ),
    (
        Sport::Cycling,
        [
            "Gravel Ride",
            "Gravelrit",
            "Gravel-Fahrt",
            "Sortie gravel",
            "Giro in gravel",
            "Bicicleta de gravel",
            "Pedalada gravel",
        ],
    ),
    (
        Sport::Cycling,
        [
            "Velomobile",
            "Velomobiel",
            "Velomobil",
            "Vélomobile",
            "Velomobile",
            "Velomóvil",
            "Velomóvel",
        ],
    ),
    (
        Sport::Swimming,
        [
            "Swim",
            "Zwemmen",
            "Schwimmen",
            "Natation",
            "Nuoto",
            "Natación",
            "Natação",
        ],
    ),
    (
        Sport::Other,
        ["Yoga", "Yoga", "Yoga", "Yoga", "Yoga", "Yoga", "Ioga"],
    ),
    (
        Sport::Other,
        [
            "Elliptical",
            "Crosstrainer",
            "Crosstrainer",
            "Elliptique",
            "Ellittica",
            "Elíptica",
            "Elíptico",
        ],
    ),
    (
        Sport::Other,
        [
            "Stair-Stepper",
            "Stepper",
            "Stepper",
            "Stepper",
            "Stepper",
            "Escaladora",
            "Escada",
        ],
    ),
    (
        Sport::Other,
        [
            "Rowing",
            "Roeien",
            "Rudern",
            "Aviron",
            "Canottaggio",
            "Remo",
            "Remo",
        ],
    ),
    (
        Sport::Other,
        [
            "Pilates", "Pilates", "Pilates", "Pilates", "Pilates", "Pilates", "Pilates",
        ],
    ),
    (
        Sport::Other,
        ["HIIT", "HIIT", "HIIT", "HIIT", "HIIT", "HIIT", "HIIT"],
    ),
    (
        Sport::Other,
        [
            "Nordic Ski",
            "Langlaufen",
            "Langlauf",
            "Ski nordique",
            "Sci nordico",
            "Esquí nórdico",
            "Esqui nórdico",
        ],
    ),
    (
        Sport::Other,
        [
            "Alpine Ski",
            "Alpineskiën",
            "Ski Alpin",
            "Ski alpin",
            "Sci alpino",
            "Esquí alpino",
            "Esqui alpino",
        ],
    ),
    (
        Sport::Other,
        [
            "Backcountry Ski",
            "Toerskiën",
            "Skitour",
            "Ski de randonnée",
            "Sci alpinismo",
            "Esquí de travesía",
            "Esqui backcountry",
        ],
    ),
    (
        Sport::Other,
        [
            "Snowshoe",
            "Sneeuwschoenwandelen",
            "Schneeschuhwandern",
            "Raquettes à neige",
            "Ciaspolata",
            "Raquetas de nieve",
            "Raquete de neve",
        ],
    ),
    (
        Sport::Other,
        [
            "Rock Climbing",
            "Klimmen",
            "Klettern",
            "Escalade",
            "Arrampicata",
            "Escalada",
            "Escalada",
        ],
    ),
    (
        Sport::Other,
        [
            "Soccer", "Voetbal", "Fußball", "Football", "Calcio", "Fútbol", "Futebol",
        ],
    ),
    (
        Sport::Other,
        [
            "Tennis", "Tennis", "Tennis", "Tennis", "Tennis", "Tenis", "Tênis",
        ],
    ),
    (
        Sport::Other,
        ["Sail", "Zeilen", "Segeln", "Voile", "Vela", "Vela", "Vela"],
    ),
    (
        Sport::Other,
        [
            "Canoe",
            "Kanoën",
            "Kanufahren",
            "Canoë",
            "Canoa",
            "Piragüismo",
            "Canoagem",
        ],
    ),
    (
        Sport::Other,
        [
            "Kayaking",
            "Kajakken",
            "Kajakfahren",
            "Kayak",
            "Kayak",
            "Kayak",
            "Caiaque",
        ],
    ),
    (
        Sport::Other,
        [
            "Surfing", "Surfen", "Surfen", "Surf", "Surf", "Surf", "Surfe",
        ],
    ),
    (
        Sport::Other,
        [
            "Stand Up Paddling",
            "Suppen",
            "Stehpaddeln",
            "Stand up paddle",
            "Stand up paddle",
            "Stand up paddle",
            "Stand up paddle",
        ],
    ),
];

/// The sport of a Strava type in any language of [`TYPES`] (case and spaces aside); `None` for
/// a type in none of them.
pub fn sport_of(type_name: &str) -> Option<Sport> {
    let t = squeeze(type_name);
    if t.is_empty() {
        return None;
    }
    TYPES
        .iter()
        .find(|(_, names)| names.iter().any(|n| squeeze(n) == t))
        .map(|(s, _)| *s)
}

/// Lower case, `’` as `'`, runs of white space as one space, trimmed: how header cells and
/// type names are compared.
fn squeeze(s: &str) -> String {
    s.replace('\u{2019}', "'")
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Month names and abbreviations of every language in [`LANGUAGES`], lower case without the
/// abbreviation's dot.
#[rustfmt::skip]
const MONTHS: &[(u32, &[&str])] = &[
    (1, &[
        "jan", "january", "januari", "januar", "jän", "jänner", "janv", "janvier", "gen", "gennaio",
        "ene", "enero", "janeiro",
    ]),
    (2, &[
        "feb", "february", "februari", "februar", "févr", "fév", "février", "febbraio", "febrero",
        "fev", "fevereiro",
    ]),
    (3, &["mar", "march", "mrt", "maart", "mär", "märz", "mrz", "mars", "marzo", "março"]),
    (4, &["apr", "april", "avr", "avril", "aprile", "abr", "abril"]),
    (5, &["may", "mei", "mai", "mag", "maggio", "mayo", "maio"]),
    (6, &["jun", "june", "juni", "juin", "giu", "giugno", "junio", "junho"]),
    (7, &["jul", "july", "juli", "juil", "juillet", "lug", "luglio", "julio", "julho"]),
    (8, &["aug", "august", "augustus", "août", "ago", "agosto"]),
    (9, &[
        "sep", "sept", "september", "septembre", "set", "settembre", "septiembre", "setiembre",
        "setembro",
    ]),
    (10, &[
        "oct", "october", "okt", "oktober", "octobre", "ott", "ottobre", "octubre", "out",
        "outubro",
    ]),
    (11, &["nov", "november", "novembre", "noviembre", "novembro"]),
    (12, &[
        "dec", "december", "dez", "dezember", "déc", "décembre", "dic", "dicembre", "diciembre",
        "dezembro",
    ]),
];

/// `Activity Date` as Strava writes it (UTC) in any of its languages and eras: a month name or
/// abbreviation of [`MONTHS`] with the day and the year in either order (`Sep 2, 2025, 10:30:00
/// AM`, `23 jun. 2017 15:52:12`, `11 ago 2014, 16:27:28`, `24 mai 2012 à 16:27:40`, `2 ago 2026,
/// 12:20:32 p. m.`), or all in numbers, year first (`2018-09-12 15:02:23`, ISO with `T` and `Z`)
/// or last (`09.12.2022, 15:24:49`); a 12-hour clock by `AM`/`PM`, `a. m.`/`p. m.` after it;
/// seconds may be left out. Words other than a month and the 12-hour marks (`à`, `de`, `um`)
/// are passed over; `None` for anything else.
pub fn parse_date(s: &str) -> Option<chrono::DateTime<Utc>> {
    enum Token {
        Number(u32, usize),
        Word(String),
    }
    let mut tokens: Vec<Token> = Vec::new();
    let mut digits = String::new();
    let mut word = String::new();
    let flush = |digits: &mut String, word: &mut String, tokens: &mut Vec<Token>| -> Option<()> {
        if !digits.is_empty() {
            if digits.len() > 4 {
                return None;
            }
            tokens.push(Token::Number(digits.parse().ok()?, digits.len()));
            digits.clear();
        }
        if !word.is_empty() {
            tokens.push(Token::Word(std::mem::take(word)));
        }
        Some(())
    };
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_digit() {
            if !word.is_empty() {
                flush(&mut digits, &mut word, &mut tokens)?;
            }
            digits.push(c);
        } else if c.is_alphabetic() {
            if !digits.is_empty() {
                flush(&mut digits, &mut word, &mut tokens)?;
            }
            word.push(c);
        } else {
            flush(&mut digits, &mut word, &mut tokens)?;
        }
    }
    flush(&mut digits, &mut word, &mut tokens)?;
    let last_number = tokens
        .iter()
        .rposition(|t| matches!(t, Token::Number(..)))?;
    // The 12-hour mark: the words after the last number, `p. m.` as `pm`.
    let tail: String = tokens[last_number + 1..]
        .iter()
        .filter_map(|t| match t {
            Token::Word(w) => Some(w.as_str()),
            Token::Number(..) => None,
        })
        .collect();
    let pm = match tail.as_str() {
        "am" => Some(false),
        "pm" => Some(true),
        _ => None,
    };
    let mut month = None;
    let mut numbers = Vec::new();
    for t in &tokens[..=last_number] {
        match t {
            Token::Number(n, len) => numbers.push((*n, *len)),
            Token::Word(w) => {
                if let Some((m, _)) = MONTHS.iter().find(|(_, names)| names.contains(&w.as_str())) {
                    if month.replace(*m).is_some() {
                        return None;
                    }
                }
            }
        }
    }
    let (year, month, day, time) = match (month, numbers.as_slice()) {
        (Some(m), [(a, alen), (b, blen), time @ ..]) => match (alen, blen) {
            (4, 1 | 2) => (*a, m, *b, time),
            (1 | 2, 4) => (*b, m, *a, time),
            _ => return None,
        },
        (None, [(a, alen), (b, 1 | 2), (c, clen), time @ ..]) => match (alen, clen) {
            (4, 1 | 2) => (*a, *b, *c, time),
            (1 | 2, 4) => (*c, *b, *a, time),
            _ => return None,
        },
        _ => return None,
    };
    let (hour, minute, second) = match time {
        [(h, _), (m, _)] => (*h, *m, 0),
        [(h, _), (m, _), (s, _)] => (*h, *m, *s),
        _ => return None,
    };
    let hour = match pm {
        None => hour,
        Some(_) if !(1..=12).contains(&hour) => return None,
        Some(false) => hour % 12,
        Some(true) => hour % 12 + 12,
    };
    let naive = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?
        .and_hms_opt(hour, minute, second)?;
    Some(Utc.from_utc_datetime(&naive))
}

/// How a manifest writes the decimals of its display numbers (the first `Distance`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Decimals {
    /// English and the pre-2019 format: `1,600.5`.
    Point,
    /// The other languages of [`LANGUAGES`]: `"4,73"`, `1.600,5`.
    Comma,
    /// An unknown language: a comma before exactly three digits separates thousands (`1,600`,
    /// never 1.6 km: Strava gives kilometres two decimals), before one, two or four a decimal.
    Unknown,
}

/// A display number as the manifest writes it, spaces and `'` between thousands allowed.
fn display_number(s: &str, decimals: Decimals) -> Option<f64> {
    let s: String = s
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\''))
        .collect();
    let comma_is_decimal = match decimals {
        Decimals::Point => false,
        Decimals::Comma => true,
        Decimals::Unknown => match (s.rfind(','), s.rfind('.')) {
            (Some(c), Some(p)) => c > p,
            (Some(c), None) => s.matches(',').count() == 1 && s.len() - c - 1 != 3,
            _ => false,
        },
    };
    if !comma_is_decimal {
        return super::number(&s);
    }
    let thousands_dots =
        s.contains(',') || (s.contains('.') && s.split('.').skip(1).all(|g| g.len() == 3));
    let clean: String = s
        .chars()
        .filter(|c| !(thousands_dots && *c == '.'))
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    clean.parse().ok()
}

/// A header cell as compared: HTML `<span …>Type</span>` as its text, `translation missing:
/// ….start_time` as `start time`, then [`squeeze`]d.
fn header_name(raw: &str) -> String {
    let mut s = raw.trim().trim_matches('"').trim();
    if s.starts_with('<') {
        if let Some(open) = s.find('>') {
            let inner = &s[open + 1..];
            s = inner.split('<').next().unwrap_or(inner);
        }
    }
    if let Some(key) = s.strip_prefix("translation missing:") {
        let last = key.rsplit('.').next().unwrap_or(key);
        return squeeze(&last.replace('_', " "));
    }
    squeeze(s)
}

/// What a column holds, by its header name in any language of [`LANGUAGES`] or the pre-2019
/// header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Id,
    Date,
    Name,
    Type,
    Elapsed,
    Distance,
    Moving,
    Gear,
    Filename,
}

fn role_of(name: &str) -> Option<Role> {
    LANGUAGES.iter().find_map(|l| {
        [
            (l.id, Role::Id),
            (l.date, Role::Date),
            (l.name, Role::Name),
            (l.kind, Role::Type),
            (l.elapsed, Role::Elapsed),
            (l.distance, Role::Distance),
            (l.moving, Role::Moving),
            (l.gear, Role::Gear),
            (l.filename, Role::Filename),
        ]
        .into_iter()
        .find(|(n, _)| squeeze(n) == name)
        .map(|(_, r)| r)
    })
}

/// Which columns hold what, how the display numbers are written, and which columns were found
/// by their place or values rather than their name.
struct Layout {
    id: Option<usize>,
    date: Option<usize>,
    name: Option<usize>,
    kind: Option<usize>,
    gear: Option<usize>,
    file: Option<usize>,
    moving: Option<usize>,
    elapsed: Vec<usize>,
    distance: Vec<usize>,
    legacy: bool,
    decimals: Decimals,
    /// (header cell, what it was taken for) of each column found by place or values.
    by_place: Vec<(String, &'static str)>,
}

/// The language whose ID, date, name and type headers open `names` (already [`header_name`]d).
fn language_of(names: &[String]) -> Option<&'static Language> {
    LANGUAGES.iter().find(|l| {
        names.len() >= 4
            && [l.id, l.date, l.name, l.kind]
                .iter()
                .zip(names)
                .all(|(want, got)| squeeze(want) == *got)
    })
}

fn is_legacy(names: &[String]) -> bool {
    names.len() >= LEGACY.len()
        && LEGACY
            .iter()
            .zip(names)
            .all(|(want, got)| *want == got.as_str())
}

/// The column most of whose values (among `rows`) are `activities/…` paths, if any is.
fn filename_by_values(rows: &[csv::StringRecord]) -> Option<usize> {
    let mut counts: HashMap<usize, usize> = HashMap::new();
    for r in rows {
        for (i, v) in r.iter().enumerate() {
            if is_activity_path(v) {
                *counts.entry(i).or_default() += 1;
            }
        }
    }
    counts
        .into_iter()
        .max_by_key(|&(i, n)| (n, std::cmp::Reverse(i)))
        .map(|(i, _)| i)
}

/// A header cell as a warning names it: its first 40 characters.
fn shortened(cell: &str) -> String {
    match cell.char_indices().nth(40) {
        Some((at, _)) => format!("{}…", &cell[..at]),
        None => cell.to_string(),
    }
}

fn is_activity_path(v: &str) -> bool {
    let v = v.trim();
    v.len() > "activities/".len()
        && v.get(..11)
            .is_some_and(|p| p.eq_ignore_ascii_case("activities/"))
}

impl Layout {
    fn of(header: &csv::StringRecord, rows: &[csv::StringRecord]) -> Layout {
        let raw: Vec<&str> = header.iter().collect();
        let names: Vec<String> = raw.iter().map(|c| header_name(c)).collect();
        let legacy = is_legacy(&names);
        let language = language_of(&names);
        let mut l = Layout {
            id: None,
            date: None,
            name: None,
            kind: None,
            gear: None,
            file: None,
            moving: None,
            elapsed: Vec::new(),
            distance: Vec::new(),
            legacy,
            decimals: match language {
                _ if legacy => Decimals::Point,
                Some(lang) if !lang.decimal_comma => Decimals::Point,
                Some(_) => Decimals::Comma,
                None => Decimals::Unknown,
            },
            by_place: Vec::new(),
        };
        for (i, name) in names.iter().enumerate() {
            let role = if legacy {
                match name.as_str() {
                    "id" => Some(Role::Id),
                    "date" => Some(Role::Date),
                    "name" => Some(Role::Name),
                    "type" => Some(Role::Type),
                    "elapsed_time" => Some(Role::Elapsed),
                    "distance" => Some(Role::Distance),
                    "gear" => Some(Role::Gear),
                    "filename" => Some(Role::Filename),
                    _ => None,
                }
            } else {
                role_of(name)
            };
            let first = |slot: &mut Option<usize>| {
                slot.get_or_insert(i);
            };
            match role {
                Some(Role::Id) => first(&mut l.id),
                Some(Role::Date) => first(&mut l.date),
                Some(Role::Name) => first(&mut l.name),
                Some(Role::Type) => first(&mut l.kind),
                Some(Role::Gear) => first(&mut l.gear),
                Some(Role::Filename) => first(&mut l.file),
                Some(Role::Moving) => first(&mut l.moving),
                Some(Role::Elapsed) => l.elapsed.push(i),
                Some(Role::Distance) => l.distance.push(i),
                None => {}
            }
        }
        // What no name gave, by the place every language and era keeps.
        let cell = |i: usize| raw.get(i).map(|c| c.trim().to_string()).unwrap_or_default();
        let mut by_place = Vec::new();
        for (slot, at, what) in [
            (&mut l.id, 0, "activity ID"),
            (&mut l.date, 1, "date"),
            (&mut l.name, 2, "name"),
            (&mut l.kind, 3, "type"),
        ] {
            if slot.is_none() && at < raw.len() {
                *slot = Some(at);
                by_place.push((cell(at), what));
            }
        }
        if l.file.is_none() {
            if let Some(f) = filename_by_values(rows) {
                l.file = Some(f);
                by_place.push((cell(f), "Filename"));
            }
        }
        // Elapsed time and distance: the sixth and seventh cells, and the later cells that
        // repeat their names (seconds and metres).
        if raw.len() > 6 && l.elapsed.is_empty() && l.distance.is_empty() {
            for (at, list, what) in [
                (5, &mut l.elapsed, "elapsed time"),
                (6, &mut l.distance, "distance"),
            ] {
                list.extend((at..raw.len()).filter(|&i| names[i] == names[at]));
                by_place.push((cell(at), what));
            }
        }
        if let Some(f) = l.file {
            if l.gear.is_none() && f > 7 {
                l.gear = Some(f - 1);
                by_place.push((cell(f - 1), "gear"));
            }
            // Elapsed time, moving time and distance three cells after `Filename`.
            if l.moving.is_none() && l.elapsed.contains(&(f + 3)) && l.distance.contains(&(f + 5)) {
                l.moving = Some(f + 4);
                by_place.push((cell(f + 4), "moving time"));
            }
        }
        l.by_place = by_place;
        l
    }
}

/// Whether `head` (the start of a file, BOM removed) is an `activities.csv`: its header opens
/// as one of [`LANGUAGES`] or the pre-2019 header does, or (an unknown language) its complete
/// rows each give an ID of digits and a date in the first two columns and one of them an
/// `activities/…` path.
pub fn is_header(head: &str) -> bool {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(head.as_bytes());
    let mut records = reader.records();
    let Some(Ok(header)) = records.next() else {
        return false;
    };
    let names: Vec<String> = header.iter().map(header_name).collect();
    if language_of(&names).is_some() || is_legacy(&names) {
        return true;
    }
    if names.len() < 7 || names[0].chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let mut rows: Vec<csv::StringRecord> = records.map_while(Result::ok).take(20).collect();
    // The last row may be cut where the head ends.
    if !head.ends_with('\n') {
        rows.pop();
    }
    !rows.is_empty()
        && rows.iter().all(|r| {
            let id = r.get(0).unwrap_or("").trim();
            !id.is_empty()
                && id.len() <= 20
                && id.chars().all(|c| c.is_ascii_digit())
                && r.get(1).and_then(parse_date).is_some()
        })
        && filename_by_values(&rows).is_some()
}

/// Reads an `activities.csv`: its rows, and a skipped entry for each row whose date does not
/// parse (it cannot be placed on a day). The first row carries the warnings about the whole
/// file (columns found by their place), and the first row of each type no language names one
/// naming the type.
pub fn read(source: &str, bytes: &[u8]) -> (Vec<ManifestRow>, Vec<Skipped>) {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let mut rows: Vec<ManifestRow> = Vec::new();
    let mut skipped = Vec::new();
    let Some(Ok(header)) = records.next() else {
        return (rows, skipped);
    };
    let records: Vec<_> = records.collect();
    let sample: Vec<csv::StringRecord> = records
        .iter()
        .filter_map(|r| r.as_ref().ok().cloned())
        .take(200)
        .collect();
    let layout = Layout::of(&header, &sample);
    let root = super::folder_of(source);
    // Each type no language names: the index of its first row, and how many rows have it.
    let mut unknown: Vec<(String, usize, usize)> = Vec::new();
    for (i, record) in records.into_iter().enumerate() {
        let row = i + 1;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                skipped.push(Skipped::new(
                    format!("{source} row {row}"),
                    SkipReason::Read(ReadError::invalid(format!("unreadable manifest row: {e}"))),
                ));
                continue;
            }
        };
        let cell = |c: Option<usize>| {
            c.and_then(|c| record.get(c))
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let activity_id = cell(layout.id).unwrap_or("").to_string();
        let label = format!("{source} row {row} (activity {activity_id})");
        let Some(start_utc) = cell(layout.date).and_then(parse_date) else {
            skipped.push(Skipped::new(
                label,
                SkipReason::Read(ReadError::invalid(format!(
                    "manifest row not counted: unparseable date {:?}",
                    cell(layout.date).unwrap_or("")
                ))),
            ));
            continue;
        };
        let type_name = cell(layout.kind).unwrap_or("").to_string();
        let mut warnings = Vec::new();
        let sport = sport_of(&type_name).unwrap_or_else(|| {
            match unknown.iter_mut().find(|(t, _, _)| *t == type_name) {
                Some((_, _, n)) => *n += 1,
                None => unknown.push((type_name.clone(), rows.len(), 1)),
            }
            Sport::Other
        });
        // The later `Distance` is metres; a lone one is the athlete's display unit (km), but
        // metres in the pre-2019 format and for a swim.
        let distance_m = match layout.distance.as_slice() {
            [] => None,
            [only] => cell(Some(*only))
                .and_then(|v| display_number(v, layout.decimals))
                .map(|d| {
                    if layout.legacy || sport == Sport::Swimming {
                        d
                    } else {
                        d * 1000.0
                    }
                }),
            [.., last] => cell(Some(*last)).and_then(super::number),
        };
        // The first `Elapsed Time` is a display number like the first `Distance`.
        let elapsed_s = layout.elapsed.iter().enumerate().rev().find_map(|(k, c)| {
            let v = cell(Some(*c))?;
            if k == 0 {
                display_number(v, layout.decimals)
            } else {
                super::number(v)
            }
        });
        let file = match cell(layout.file) {
            Some(f) if f.eq_ignore_ascii_case("#error#") => {
                warnings.push(format!(
                    "{label}: Filename is #error# (Strava did not export its file); counted \
                     from the manifest"
                ));
                None
            }
            Some(f) => Some(format!("{root}{f}")),
            None => None,
        };
        rows.push(ManifestRow {
            source: source.to_string(),
            row,
            origin: Origin::StravaCsv,
            root: root.clone(),
            id: activity_id,
            file,
            name: cell(layout.name).map(str::to_string),
            type_name,
            sport,
            gear: cell(layout.gear).map(str::to_string),
            start_utc,
            utc_offset_s: None,
            distance_m,
            elapsed_s,
            moving_s: cell(layout.moving).and_then(super::number),
            cadence_spm: None,
            strength: None,
            warnings,
        });
    }
    for (type_name, at, n) in unknown {
        let label = rows[at].label();
        let more = match n {
            1 => String::new(),
            2 => " (as is 1 more row)".to_string(),
            n => format!(" (as are {} more rows)", n - 1),
        };
        rows[at].warnings.push(format!(
            "{label}: unknown activity type {type_name:?}, counted as other{more}"
        ));
    }
    if !layout.by_place.is_empty() {
        if let Some(first) = rows.first_mut() {
            let taken: Vec<String> = layout
                .by_place
                .iter()
                .map(|(cell, what)| format!("{:?} as {what}", shortened(cell)))
                .collect();
            first.warnings.insert(
                0,
                format!(
                    "{source}: header in a language or layout not known; columns taken by their \
                     place and values: {}",
                    taken.join(", ")
                ),
            );
        }
    }
    (rows, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "\u{feff}Activity ID,Activity Date,Activity Name,Activity Type,\
Activity Description,Elapsed Time,Distance,Max Heart Rate,Relative Effort,Commute,\
Activity Gear,Filename,Athlete Weight,Bike Weight,Elapsed Time,Moving Time,Distance,Max Speed\n\
101,\"Sep 2, 2025, 10:30:00 AM\",Morning Run,Run,\"Easy, with\nstrides\",3000,10.02,160,40,\
false,Pegasus 40,activities/101.fit.gz,,,3000,2950,10020.5,4.1\n\
102,\"Sep 3, 2025, 6:05:00 PM\",Gym,Weight Training,,2700,0,,,false,,,,,2700,2700,0,\n\
103,\"not a date\",Lost,Run,,100,1,,,false,,,,,100,100,1000,\n\
104,\"Sep 4, 2025, 7:00:00 AM\",Fun,Quidditch,,600,,,,false,,,,,600,600,,\n";

    #[test]
    fn header_recognised() {
        assert!(is_header(CSV.trim_start_matches('\u{feff}')));
        assert!(!is_header("date,knee,score\n2025-01-01,left,3\n"));
    }

    #[test]
    fn rows_by_column_name_preferring_metres() {
        let (rows, skipped) = read("export.zip!activities.csv", CSV.as_bytes());
        assert_eq!(rows.len(), 3);
        let run = &rows[0];
        assert_eq!(run.row, 1);
        assert_eq!(run.id, "101");
        assert_eq!(run.name.as_deref(), Some("Morning Run"));
        assert_eq!(run.sport, Sport::Running);
        assert_eq!(run.gear.as_deref(), Some("Pegasus 40"));
        assert_eq!(
            run.file.as_deref(),
            Some("export.zip!activities/101.fit.gz")
        );
        assert_eq!(
            run.start_utc,
            Utc.with_ymd_and_hms(2025, 9, 2, 10, 30, 0).unwrap()
        );
        assert_eq!(run.distance_m, Some(10020.5));
        assert_eq!(run.elapsed_s, Some(3000.0));
        assert_eq!(run.moving_s, Some(2950.0));
        let gym = &rows[1];
        assert_eq!(gym.sport, Sport::Strength);
        assert_eq!(gym.file, None);
        assert_eq!(
            gym.start_utc,
            Utc.with_ymd_and_hms(2025, 9, 3, 18, 5, 0).unwrap()
        );
        // An unknown type counts as other, with a warning naming the row.
        assert_eq!(rows[2].sport, Sport::Other);
        assert_eq!(
            rows[2].warnings,
            [
                "export.zip!activities.csv row 4 (activity 104): unknown activity type \
              \"Quidditch\", counted as other"
            ]
        );
        // A date that does not parse: the row is listed as not counted.
        assert_eq!(skipped.len(), 1);
        assert_eq!(
            skipped[0].to_string(),
            "export.zip!activities.csv row 3 (activity 103): manifest row not counted: \
             unparseable date \"not a date\""
        );
    }

    #[test]
    fn a_lone_distance_is_kilometres() {
        let csv = "Activity ID,Activity Date,Activity Name,Activity Type,Distance\n\
                   1,\"Jan 5, 2025, 8:00:00 AM\",Run,Run,5.5\n";
        let (rows, _) = read("/x/activities.csv", csv.as_bytes());
        assert_eq!(rows[0].distance_m, Some(5500.0));
        assert_eq!(rows[0].root, "/x/");
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> chrono::DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
    }

    #[test]
    fn dates_in_every_language_and_era() {
        for (text, want) in [
            ("Sep 2, 2025, 10:30:00 AM", utc(2025, 9, 2, 10, 30, 0)),
            ("Sep 2, 2025 10:30:00 PM", utc(2025, 9, 2, 22, 30, 0)),
            ("Jan 5, 2025, 12:05:00\u{202f}AM", utc(2025, 1, 5, 0, 5, 0)),
            ("Jan 5, 2025, 12:05:00 PM", utc(2025, 1, 5, 12, 5, 0)),
            ("2 Sep 2025, 10:30:00", utc(2025, 9, 2, 10, 30, 0)),
            // Dutch, Italian, Spanish (U+202F before p. m.), German, French, Portuguese.
            ("23 jun. 2017 15:52:12", utc(2017, 6, 23, 15, 52, 12)),
            ("9 mei 2026, 19:00:00", utc(2026, 5, 9, 19, 0, 0)),
            ("3 mrt. 2020 07:01:02", utc(2020, 3, 3, 7, 1, 2)),
            ("11 ago 2014, 16:27:28", utc(2014, 8, 11, 16, 27, 28)),
            (
                "2 ago 2026, 12:20:32\u{202f}p.\u{a0}m.",
                utc(2026, 8, 2, 12, 20, 32),
            ),
            (
                "2 ago 2026, 1:20:32\u{202f}p.\u{202f}m.",
                utc(2026, 8, 2, 13, 20, 32),
            ),
            ("2 dic 2026, 12:20:32 a. m.", utc(2026, 12, 2, 0, 20, 32)),
            ("09.12.2022, 15:24:49", utc(2022, 12, 9, 15, 24, 49)),
            ("9. Dez. 2022, 15:24:49", utc(2022, 12, 9, 15, 24, 49)),
            ("24 mai 2012 à 16:27:40", utc(2012, 5, 24, 16, 27, 40)),
            ("3 févr. 2021 à 06:00:00", utc(2021, 2, 3, 6, 0, 0)),
            ("24 de mai. de 2012 16:27:40", utc(2012, 5, 24, 16, 27, 40)),
            ("7 de out. de 2019, 08:15:00", utc(2019, 10, 7, 8, 15, 0)),
            // Pre-2019 and ISO.
            ("2018-09-12 15:02:23", utc(2018, 9, 12, 15, 2, 23)),
            ("2018-09-12T15:02:23Z", utc(2018, 9, 12, 15, 2, 23)),
        ] {
            assert_eq!(parse_date(text), Some(want), "{text:?}");
        }
        for bad in [
            "",
            "not a date",
            "Sep 2025, 10:30:00",
            "31 feb 2020, 10:00:00",
            "Sep 2, 2025, 13:30:00 PM",
            "Sep 2, 2025, 0:30:00 AM",
            "2 Sep Oct 2025, 10:30:00",
            "12/09/18 10:00:00",
            "123456789 Sep 2025 10:00",
            "Sep 2, 2025, 10:30:00:00:01",
        ] {
            assert_eq!(parse_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn display_numbers_by_the_languages_decimals() {
        use Decimals::*;
        for (text, decimals, want) in [
            ("4,73", Comma, 4.73),
            ("9,44", Comma, 9.44),
            ("1.600", Comma, 1600.0),
            ("1.600,5", Comma, 1600.5),
            ("3189.0", Comma, 3189.0),
            ("1,600", Point, 1600.0),
            ("1,600.5", Point, 1600.5),
            ("12.3", Point, 12.3),
            ("4,73", Unknown, 4.73),
            ("1,600", Unknown, 1600.0),
            ("1.600,5", Unknown, 1600.5),
            ("1,600.5", Unknown, 1600.5),
            ("1\u{202f}600,5", Unknown, 1600.5),
            ("12.3", Unknown, 12.3),
        ] {
            assert_eq!(
                display_number(text, decimals),
                Some(want),
                "{text:?} {decimals:?}"
            );
        }
        assert_eq!(display_number("", Comma), None);
        assert_eq!(display_number("abc", Unknown), None);
    }

    #[test]
    fn type_names_in_every_language() {
        for (name, sport) in [
            ("Hardloopsessie", Sport::Running),
            ("Fietsrit", Sport::Cycling),
            ("Corsa", Sport::Running),
            ("Sci nordico", Sport::Other),
            ("Carrera", Sport::Running),
            ("Entrenamiento con pesas", Sport::Strength),
            ("Lauf", Sport::Running),
            ("Radfahrt", Sport::Cycling),
            ("course à pied", Sport::Running),
            ("Corrida", Sport::Running),
            ("  Weight   Training ", Sport::Strength),
            ("Natación", Sport::Swimming),
        ] {
            assert_eq!(sport_of(name), Some(sport), "{name}");
        }
        assert_eq!(sport_of("Quidditch"), None);
        assert_eq!(sport_of(""), None);
    }

    #[test]
    fn headers_in_every_language_era_and_layout() {
        for lang in LANGUAGES {
            let head = format!("{},{},{},{},x\n", lang.id, lang.date, lang.name, lang.kind);
            assert!(is_header(&head), "{}", lang.code);
        }
        // Italian with the typographic apostrophe Strava writes.
        assert!(is_header(
            "ID attività,Data dell\u{2019}attività,Nome attività,Tipo attività,Descrizione\n"
        ));
        assert!(is_header(
            "id,date,name,type,description,elapsed_time,distance,commute,gear,filename\n"
        ));
        // An unknown language: by its rows (an ID of digits, a date, an `activities/` path).
        let unknown = "Aktiviteetin tunnus,Päivämäärä,Nimi,Laji,Kuvaus,Kesto,Matka,Varuste,\
                       Tiedosto\n\
                       17,\"2 jun. 2021, 10:00:00\",Lenkki,Juoksu,,1800,\"5,1\",,\
                       activities/99.fit.gz\n\
                       18,\"3 jun. 2021, 10:00:00\",Sali,Kuntosali,,1800,,,\n";
        assert!(is_header(unknown));
        // The last row, cut where the head ends, is not looked at.
        assert!(is_header(&unknown[..unknown.find("3 jun.").unwrap() + 3]));
        for not in [
            "date,knee,score\n2025-01-01,left,3\n",
            "id,date,name,type\n1,2025-01-01,x,y\n",
            // Rows of the layout but no `activities/` path: not recognised on values alone.
            "a,b,c,d,e,f,g,h\n1,\"2 jun. 2021, 10:00:00\",x,y,,1,2,\n",
            // An ID that is not digits.
            "a,b,c,d,e,f,g,h\nx1,\"2 jun. 2021, 10:00:00\",x,y,,1,2,activities/1.gpx\n",
            "",
        ] {
            assert!(!is_header(not), "{not:?}");
        }
    }

    #[test]
    fn translation_missing_and_html_header_cells_read_as_their_names() {
        let csv = "Activity ID,Activity Date,Activity Name,Activity Type,Elapsed Time,Distance,\
Activity Gear,Filename,Elapsed Time,Moving Time,Distance,\
translation missing: en-US.lib.export.portability_exporter.activities.horton_values.type,\
\"<span class=\"\"translation_missing\"\" title=\"\"translation missing: en-US.x.start_time\"\">\
Start Time</span>\"\n\
7,\"Oct 5, 2014, 4:15:21 PM\",Ride,Ride,2833,13.61,,activities/7.gpx,2833.0,2499.0,13610.5,,\n";
        assert!(is_header(csv));
        assert_eq!(
            header_name("<span class=\"x\" title=\"y\">Start Time</span>"),
            "start time"
        );
        assert_eq!(
            header_name("translation missing: en-US.lib.activities.horton_values.jump_count"),
            "jump count"
        );
        let (rows, skipped) = read("e.zip!activities.csv", csv.as_bytes());
        assert!(skipped.is_empty());
        assert_eq!(rows[0].distance_m, Some(13610.5));
        assert_eq!(rows[0].moving_s, Some(2499.0));
        assert!(rows[0].warnings.is_empty(), "{:?}", rows[0].warnings);
    }

    #[test]
    fn dutch_rows_with_decimal_commas() {
        let csv = "Activiteits-ID,Datum van activiteit,Naam activiteit,Activiteitstype,\
Beschrijving van activiteit,Verstreken tijd,Afstand,Uitrusting voor activiteit,Bestandsnaam\n\
5,23 jun. 2017 15:52:12,Ochtendloop,Hardloopsessie,,1500,\"4,73\",,activities/5.gpx\n\
6,24 jun. 2017 15:52:12,Zwemmen,Zwemmen,,1500,\"1.600\",,\n";
        let (rows, _) = read("/e/activities.csv", csv.as_bytes());
        assert_eq!(rows[0].start_utc, utc(2017, 6, 23, 15, 52, 12));
        assert_eq!(rows[0].distance_m, Some(4730.0));
        assert_eq!(rows[0].sport, Sport::Running);
        assert_eq!(rows[0].file.as_deref(), Some("/e/activities/5.gpx"));
        // A swim's lone distance is metres.
        assert_eq!(rows[1].sport, Sport::Swimming);
        assert_eq!(rows[1].distance_m, Some(1600.0));
        assert!(rows.iter().all(|r| r.warnings.is_empty()));
    }

    #[test]
    fn the_pre_2019_format_gives_metres_and_utc() {
        let csv = "id,date,name,type,description,elapsed_time,distance,commute,gear,filename\n\
1836776031,2018-09-12 15:02:23,Evening Run,Run,,783,3681.0,false,Pegasus,\
activities/1836776031.gpx\n\
1836776032,2018-09-13 06:00:00,Gym,Weight Training,,1800,0.0,false,,\n";
        assert!(is_header(csv));
        let (rows, skipped) = read("x/activities.csv", csv.as_bytes());
        assert!(skipped.is_empty());
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].start_utc, utc(2018, 9, 12, 15, 2, 23));
        assert_eq!(rows[0].distance_m, Some(3681.0));
        assert_eq!(rows[0].elapsed_s, Some(783.0));
        assert_eq!(rows[0].gear.as_deref(), Some("Pegasus"));
        assert_eq!(rows[0].file.as_deref(), Some("x/activities/1836776031.gpx"));
        assert_eq!(rows[1].sport, Sport::Strength);
        assert_eq!(rows[1].file, None);
    }

    #[test]
    fn an_unknown_language_is_read_by_place_with_one_warning_naming_the_columns() {
        // Finnish-like words Strava's header does not use: every column by its place.
        let csv = "Tunnus,Päivä,Nimi,Laji,Kuvaus,Kesto,Matka,Syke,Varuste,Tiedosto,Paino,\
Pyörä,Kesto,Liikkeellä,Matka\n\
17,\"2 jun. 2021, 10:00:00\",Lenkki,Juoksu,,1800,\"5,10\",,Kengät,activities/99.fit.gz,,,\
1800.0,1750.0,5100.5\n\
18,\"3 jun. 2021, 10:00:00\",Lenkki 2,Juoksu,,1900,\"5,20\",,,activities/98.fit.gz,,,\
1900.0,1850.0,5200.5\n";
        assert!(is_header(csv));
        let (rows, skipped) = read("e.zip!activities.csv", csv.as_bytes());
        assert!(skipped.is_empty());
        assert_eq!(rows.len(), 2);
        let r = &rows[0];
        assert_eq!(r.id, "17");
        assert_eq!(r.name.as_deref(), Some("Lenkki"));
        assert_eq!(r.start_utc, utc(2021, 6, 2, 10, 0, 0));
        assert_eq!(r.distance_m, Some(5100.5));
        assert_eq!(r.elapsed_s, Some(1800.0));
        assert_eq!(r.moving_s, Some(1750.0));
        assert_eq!(r.gear.as_deref(), Some("Kengät"));
        assert_eq!(r.file.as_deref(), Some("e.zip!activities/99.fit.gz"));
        assert_eq!(
            r.warnings,
            [
                "e.zip!activities.csv: header in a language or layout not known; columns taken \
                 by their place and values: \"Tunnus\" as activity ID, \"Päivä\" as date, \
                 \"Nimi\" as name, \"Laji\" as type, \"Tiedosto\" as Filename, \"Kesto\" as \
                 elapsed time, \"Matka\" as distance, \"Varuste\" as gear, \"Liikkeellä\" as \
                 moving time",
                "e.zip!activities.csv row 1 (activity 17): unknown activity type \"Juoksu\", \
                 counted as other (as is 1 more row)",
            ]
        );
        assert!(rows[1].warnings.is_empty(), "{:?}", rows[1].warnings);
    }

    #[test]
    fn error_and_empty_filenames_count_from_the_manifest() {
        let csv = "Activity ID,Activity Date,Activity Name,Activity Type,Filename\n\
1,\"Sep 2, 2025, 10:30:00 AM\",A,Run,#error#\n\
2,\"Sep 3, 2025, 10:30:00 AM\",B,Run,\n\
3,\"Sep 4, 2025, 10:30:00 AM\",C,Run,activities/4477.bin.gz\n";
        let (rows, _) = read("e/activities.csv", csv.as_bytes());
        let files: Vec<_> = rows.iter().map(|r| r.file.as_deref()).collect();
        assert_eq!(files, [None, None, Some("e/activities/4477.bin.gz")]);
        assert_eq!(
            rows[0].warnings,
            [
                "e/activities.csv row 1 (activity 1): Filename is #error# (Strava did not export \
              its file); counted from the manifest"
            ]
        );
        assert!(rows[1].warnings.is_empty());
    }
}
