//! The `patella` binary: parse arguments, call the library, map the outcome to an exit status.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use patella::cli::{Args, Command, StoreArgs, UsageError};
use patella::store::Store;
use patella::{ingest, paths, pipeline, report};

/// Exit status for a usage error or when nothing readable was found.
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let args = Args::parse();
    patella::guard::quiet_guarded_panics();
    match run(args) {
        Ok(code) => code,
        Err(e) => {
            // A path or a file's text in the message may hold terminal control sequences.
            eprintln!("patella: {}", report::format::sanitise(&format!("{e:#}")));
            // A bad option, or an --out folder that is not a patella report, is a usage error
            // (2); anything else (a report that cannot be written) is a failure (1).
            if e.downcast_ref::<UsageError>().is_some()
                || e.downcast_ref::<report::Refused>().is_some()
            {
                ExitCode::from(EXIT_USAGE)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

/// The rows of the `--pain` file: a usage error when it cannot be read or is not a pain log;
/// each row that does not read is a warning naming its line, and the others count.
fn read_pain(file: &std::path::Path) -> Result<Vec<patella::model::PainRow>, UsageError> {
    let (rows, errors) = patella::ingest::pain::read_file(file).map_err(UsageError)?;
    for e in errors {
        eprintln!(
            "patella: warning: {}",
            patella::report::format::sanitise(&e)
        );
    }
    Ok(rows)
}

/// Runs `f` with a progress callback that draws a bar on stderr when stderr is a terminal.
fn with_bar<T>(f: impl FnOnce(&(dyn Fn(usize, usize) + Sync)) -> T) -> T {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return f(&|_, _| {});
    }
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} files {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let out = f(&|done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    });
    bar.finish_and_clear();
    out
}

/// The store `--store`/`--no-store` name (the default one without either), checked before
/// anything is read: a `--store` inside a folder read or inside `--out`, or naming a file that is
/// not a patella store, is a usage error; the default store there is left out with a warning.
fn store_path(
    args: &StoreArgs,
    reads: &[paths::Read],
    out: Option<&std::path::Path>,
) -> Result<Option<std::path::PathBuf>, UsageError> {
    if args.no_store {
        return Ok(None);
    }
    if let Some(path) = &args.store {
        paths::check_store(path, reads, out).map_err(UsageError)?;
        patella::store::check_owned(path).map_err(UsageError)?;
        return Ok(Some(path.clone()));
    }
    let Some(path) = patella::store::default_path() else {
        return Ok(None);
    };
    match paths::check_store(&path, reads, out) {
        Ok(()) => Ok(Some(path)),
        Err(e) => {
            eprintln!(
                "patella: warning: {}; going on without the store",
                report::format::sanitise(&e)
            );
            Ok(None)
        }
    }
}

/// Opens the store at `path`; one that cannot be opened costs speed, not the analysis: a
/// warning, and no store.
fn open_store(path: Option<&std::path::Path>) -> Option<Store> {
    match Store::open(path?, &patella::store::parser_version()) {
        Ok((s, warning)) => {
            if let Some(w) = warning {
                eprintln!("patella: warning: {w}");
            }
            Some(s)
        }
        Err(e) => {
            eprintln!("patella: warning: {e:#}; going on without the store");
            None
        }
    }
}

/// Says what a report write left alone in the folder (the runner's own files).
fn tell_kept(written: &report::folder::Written, out: &std::path::Path) {
    if let Some(line) = written.kept_line(out) {
        eprintln!("patella: {}", report::format::sanitise(&line));
    }
}

/// `analyse --athletes ROOT`: every athlete's folder through the pipeline, a round at a time; the
/// team in order of urgency on stdout (or each athlete's JSON document in one team document), and
/// with `--out` the team page, the athletes' reports and the Parquet dataset.
fn run_team(
    root: &std::path::Path,
    common: &patella::cli::Common,
    json: bool,
    out: Option<&std::path::Path>,
    store: &StoreArgs,
) -> anyhow::Result<ExitCode> {
    use patella::team;
    let mut reads = vec![paths::Read::new(root, paths::What::Athletes)];
    if let Some(config) = &common.config {
        reads.push(paths::Read::new(config, paths::What::Config));
    }
    if let Some(dir) = out {
        paths::check_out(dir, &reads).map_err(UsageError)?;
    }
    let config = common.config()?;
    let mut settings = config.settings;
    // One day for the whole team: --as-of, else today where the coach is.
    let as_of = settings
        .as_of
        .unwrap_or_else(|| chrono::Utc::now().with_timezone(&settings.tz).date_naive());
    settings.as_of = Some(as_of);
    let (dirs, passed_over) = team::folders(root).map_err(UsageError)?;
    if dirs.is_empty() {
        return Err(UsageError(format!(
            "{} holds no athlete's folder (--athletes wants one sub-folder per athlete)",
            root.display()
        ))
        .into());
    }
    for (p, why) in &passed_over {
        eprintln!("patella: {}: {why}", report::format::sanitise(p));
    }
    let athletes: Vec<_> = dirs.iter().map(|d| team::athlete(d, &settings)).collect();
    // An athlete's folder linked in from elsewhere, and the pain logs their files name, are read
    // too: never from inside the report, never around the store.
    for a in athletes.iter().flatten() {
        reads.push(paths::Read::new(&a.dir, paths::What::Athlete));
        if let Some(log) = &a.pain_log {
            reads.push(paths::Read::new(log, paths::What::PainLog));
        }
    }
    if let Some(dir) = out {
        paths::check_out(dir, &reads).map_err(UsageError)?;
    }
    // Opened once here, so that a damaged store is set aside before the athletes' threads open it.
    let store = store_path(store, &reads, out)?.filter(|p| open_store(Some(p)).is_some());
    let opts = team::Options {
        settings: &settings,
        store: store.as_deref(),
        limits: ingest::Limits::default(),
        json,
    };
    let total = athletes.len();
    let title = root
        .canonicalize()
        .ok()
        .as_deref()
        .unwrap_or(root)
        .file_name()
        .map_or_else(|| "Team".to_string(), |n| n.to_string_lossy().into_owned());
    let mut first = true;
    let mut emitted: anyhow::Result<()> = Ok(());
    if json {
        emitted = emit(&report::team::json_head(as_of));
    }
    let mut finished = 0usize;
    let mut each = |d: &Result<team::Done, team::Unread>| {
        finished += 1;
        let key = match d {
            Ok(done) => done.status.key.clone(),
            Err(u) => u.key.clone(),
        };
        let key = report::format::sanitise(&key);
        match d {
            Ok(done) => {
                for m in &done.messages {
                    eprintln!("patella: {key}: {}", report::format::sanitise(m));
                }
                if let (Some(doc), true) = (&done.json, emitted.is_ok()) {
                    let sep = if first { "" } else { ",\n" };
                    first = false;
                    emitted = emit_with(|out| {
                        out.write_all(sep.as_bytes())?;
                        out.write_all(doc.trim_end().as_bytes())
                    });
                }
            }
            Err(u) => eprintln!(
                "patella: {key}: not analysed: {}",
                report::format::sanitise(&u.reason)
            ),
        }
        use std::io::IsTerminal;
        if std::io::stderr().is_terminal() {
            eprint!("\r{finished}/{total} athletes");
            if finished == total {
                eprint!("\r\x1b[K");
            }
        }
    };
    let mut result = None;
    let analyse = |dir: Option<&std::path::Path>| -> anyhow::Result<()> {
        let (rows, unread) = team::run(athletes, &opts, dir, &mut each);
        if rows.is_empty() {
            // The document stays whole: no athlete, and why each folder was not analysed.
            if json {
                emit(&report::team::json_tail(&rows, &unread))?;
            }
            return Err(UsageError(format!(
                "no athlete's folder under {} holds a readable activity{}",
                root.display(),
                if dir.is_some() {
                    "; no report written"
                } else {
                    ""
                }
            ))
            .into());
        }
        let view = report::team::TeamView::new(&title, as_of, &rows, &unread);
        if let Some(dir) = dir {
            std::fs::write(dir.join("index.html"), report::team::page(&view))?;
        }
        result = Some((rows, unread, view));
        Ok(())
    };
    match out {
        Some(dir) => tell_kept(
            &report::folder::write_folder(dir, |tmp| analyse(Some(tmp)))?,
            dir,
        ),
        None => analyse(None)?,
    }
    let Some((rows, unread, view)) = result else {
        return Ok(ExitCode::from(EXIT_USAGE));
    };
    if json {
        emitted?;
        emit(&report::team::json_tail(&rows, &unread))?;
    } else {
        emit(&report::team::terminal(&view, stdout_colour()))?;
    }
    if let Some(dir) = out {
        eprintln!("patella: team report written to {}", dir.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Colour on stdout: only on a terminal, and never under NO_COLOR (no-color.org).
fn stdout_colour() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Writes to stdout; a closed pipe (`patella ... | head`) ends quietly.
fn emit(text: &str) -> anyhow::Result<()> {
    emit_with(|out| out.write_all(text.as_bytes()))
}

/// Writes to standard output with `write`; a reader that went away (`| head`) is not an error.
fn emit_with(
    write: impl FnOnce(&mut std::io::StdoutLock<'static>) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match write(&mut out).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Analyse {
            athletes: Some(root),
            common,
            json,
            out,
            store,
            ..
        } => run_team(&root, &common, json, out.as_deref(), &store),
        Command::Analyse {
            paths: inputs,
            athletes: None,
            common,
            json,
            out,
            athlete,
            since,
            all,
            runs,
            pain,
            store,
        } => {
            // What is read and what is written, checked before anything is read.
            let mut reads: Vec<paths::Read> = inputs
                .iter()
                .map(|p| paths::Read::new(p, paths::What::Input))
                .collect();
            if let Some(file) = &pain {
                reads.push(paths::Read::new(file, paths::What::PainLog));
            }
            if let Some(file) = &common.config {
                reads.push(paths::Read::new(file, paths::What::Config));
            }
            if let Some(dir) = &out {
                paths::check_out(dir, &reads).map_err(UsageError)?;
            }
            let store = store_path(&store, &reads, out.as_deref())?;
            let config = common.config()?;
            let pain_rows = match &pain {
                Some(file) => read_pain(file)?,
                None => Vec::new(),
            };
            let mut store = open_store(store.as_deref());
            let limits = ingest::Limits::default();
            let (result, extracted) = with_bar(|progress| {
                pipeline::analyse(
                    &inputs,
                    &limits,
                    &config.settings,
                    store.as_mut(),
                    &pain_rows,
                    progress,
                )
            })?;
            for w in &extracted.warnings {
                eprintln!("patella: warning: {w}");
            }
            // Files an export holds beside its activities (monitoring FIT, side JSON) are
            // counted in one line unless --all; anything else keeps its own.
            for line in patella::model::skip::skip_lines(&result.skipped, all) {
                eprintln!("patella: {}", report::format::sanitise(&line));
            }
            if store.is_some() {
                eprintln!(
                    "patella: {} of {} files from the store, {} decoded",
                    extracted.from_store,
                    extracted.from_store + extracted.decoded,
                    extracted.decoded
                );
            }
            let found = result.activities.len();
            let mut ctx = report::RenderContext::new(athlete.as_str());
            ctx.terminal = report::terminal::View {
                since,
                all,
                runs,
                colour: false,
            };
            if json {
                // Streamed: the document of a long history is megabytes.
                let athlete = Some(athlete.as_str()).filter(|a| !a.is_empty());
                emit_with(|out| {
                    report::json::write_for(&result, athlete, out)?;
                    out.write_all(b"\n")
                })?;
            } else {
                // The report's summary.txt never has colour.
                let colour = stdout_colour();
                let printed = report::RenderContext {
                    terminal: report::terminal::View {
                        colour,
                        ..ctx.terminal
                    },
                    ..ctx.clone()
                };
                emit(&report::render_text(
                    &report::terminal::Terminal,
                    &result,
                    &printed,
                )?)?;
            }
            if found == 0 {
                eprintln!(
                    "patella: no readable activity in {} file(s){}",
                    extracted.files_seen,
                    if out.is_some() {
                        "; no report written"
                    } else {
                        ""
                    }
                );
                return Ok(ExitCode::from(EXIT_USAGE));
            }
            if let Some(dir) = &out {
                tell_kept(&report::write_report(&result, dir, &ctx)?, dir);
                eprintln!("patella: report written to {}", dir.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Watch {
            dir,
            out,
            poll,
            athlete,
            common,
            store,
        } => {
            if !dir.is_dir() {
                return Err(UsageError(format!("{} is not a folder", dir.display())).into());
            }
            let mut reads = vec![paths::Read::new(&dir, paths::What::Input)];
            if let Some(file) = &common.config {
                reads.push(paths::Read::new(file, paths::What::Config));
            }
            paths::check_out(&out, &reads).map_err(UsageError)?;
            let store = store_path(&store, &reads, Some(&out))?;
            let config = common.config()?;
            let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
            let flag = stop.clone();
            ctrlc::set_handler(move || flag.store(true, std::sync::atomic::Ordering::SeqCst))
                .map_err(|e| anyhow::anyhow!("cannot catch Ctrl-C: {e}"))?;
            let opts = patella::watch::Options {
                dir,
                out,
                athlete,
                poll,
                timing: patella::watch::Timing::default(),
            };
            eprintln!(
                "patella: watching {} (Ctrl-C to stop); report in {}",
                opts.dir.display(),
                opts.out.display()
            );
            let on_note = &mut |line: &str| {
                eprintln!("patella: {}", report::format::sanitise(line));
            };
            let store = open_store(store.as_deref());
            patella::watch::run(&opts, &config.settings, store, &stop, on_note, &mut |a| {
                eprintln!(
                    "patella: report updated: {} runs, {} findings, {} skipped",
                    a.activities.iter().filter(|x| x.counts_as_run()).count(),
                    a.findings.len(),
                    a.skipped.len()
                );
            })?;
            eprintln!("patella: stopped");
            Ok(ExitCode::SUCCESS)
        }
        Command::Inspect { file, common, json } => {
            let config = common.config()?;
            let inspection = pipeline::inspect(&file, &config.settings, config.tz_origin);
            let found = inspection.activities.len();
            // stdout is data: what was skipped is a message (the JSON keeps it as data too).
            for line in report::inspect::skip_lines(&inspection) {
                eprintln!("patella: {line}");
            }
            let text = if json {
                report::inspect::render_json(&inspection)
            } else {
                report::inspect::render(&inspection)
            };
            emit(&text)?;
            Ok(if found == 0 {
                ExitCode::from(EXIT_USAGE)
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}
