//! The last guard around work on one file: a panic (a bug in patella, set off by what a file
//! holds) is caught and becomes a reason, so it costs that file and never the batch. The panic
//! hook stays quiet about panics caught here.

use std::panic::{catch_unwind, AssertUnwindSafe};

thread_local! {
    /// Set while guarded work runs, so that the panic hook stays quiet about its panics.
    static GUARDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Installs a panic hook that keeps guarded panics (reported as reasons) off stderr and leaves
/// every other panic to the default hook. Call once at start-up.
pub fn quiet_guarded_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !GUARDED.with(|f| f.get()) {
            default(info);
        }
    }));
}

/// Runs `f`; a panic in it comes back as its one-line message.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    let outer = GUARDED.with(|g| g.replace(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(outer));
    result.map_err(|panic| {
        let msg = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown cause".into());
        crate::model::skip::one_line(&msg)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_panic_becomes_its_message() {
        assert_eq!(super::catch(|| 7), Ok(7));
        let r: Result<(), String> = super::catch(|| panic!("Index out of\nbounds."));
        assert_eq!(r, Err("index out of bounds".to_string()));
    }
}
