//! Finnish base forms from libvoikko, loaded at run time through its C API.
//!
//! Voikko knows Finnish inflection and consonant gradation ("tuen" is a form of
//! "tuki", "kyvyn" of "kyky"), which a suffix-stripping stemmer cannot. The library is
//! LGPL and optional: it is opened with `dlopen` when installed (Debian's `libvoikko1`
//! and `voikko-fi`), so Kaveri builds and runs without it and falls back to Snowball.

use libloading::{Library, Symbol};
use std::collections::HashMap;
use std::ffi::{c_char, c_void, CStr, CString};
use std::sync::{Mutex, OnceLock};

/// Analyses kept per process; words users type are few, but a bot runs for months.
const MAX_CACHED: usize = 50_000;

type Init = unsafe extern "C" fn(*mut *const c_char, *const c_char, *const c_char) -> *mut c_void;
type Analyze = unsafe extern "C" fn(*mut c_void, *const c_char) -> *mut *mut c_void;
type FreeAnalysis = unsafe extern "C" fn(*mut *mut c_void);
type Value = unsafe extern "C" fn(*const c_void, *const c_char) -> *mut c_char;
type FreeValue = unsafe extern "C" fn(*mut c_char);

/// One Voikko handle. The library's handles are not thread-safe, so every call
/// goes through the mutex.
pub(crate) struct Voikko {
    inner: Mutex<Inner>,
}

struct Inner {
    handle: *mut c_void,
    analyze: Analyze,
    free_analysis: FreeAnalysis,
    value: Value,
    free_value: FreeValue,
    cache: HashMap<Box<str>, Option<Box<str>>>,
    // Keeps the functions above valid; dropped last.
    _library: Library,
}

// SAFETY: the handle is only used while the mutex is held.
unsafe impl Send for Inner {}

impl Voikko {
    /// The process's Voikko, or `None` when the library or its Finnish dictionary
    /// is not installed (or `KAVERI_NO_VOIKKO` is set, to measure without it).
    pub(crate) fn get() -> Option<&'static Voikko> {
        static VOIKKO: OnceLock<Option<Voikko>> = OnceLock::new();
        VOIKKO
            .get_or_init(|| {
                if std::env::var_os("KAVERI_NO_VOIKKO").is_some() {
                    return None;
                }
                let loaded = Voikko::load();
                if let Err(reason) = &loaded {
                    tracing::debug!("Voikko not used: {reason}");
                }
                loaded.ok()
            })
            .as_ref()
    }

    fn load() -> Result<Voikko, String> {
        // SAFETY: libvoikko's exported C functions, with the signatures of its
        // voikko.h (4.x); the library runs no code of ours on load.
        unsafe {
            let library = ["libvoikko.so.1", "libvoikko.so", "libvoikko.1.dylib"]
                .into_iter()
                .find_map(|name| Library::new(name).ok())
                .ok_or("libvoikko is not installed")?;
            let symbol = |name: &[u8]| -> Result<*const (), String> {
                let found: Symbol<*const ()> = library
                    .get(name)
                    .map_err(|e| format!("libvoikko lacks a function: {e}"))?;
                Ok(*found)
            };
            let init: Init = std::mem::transmute(symbol(b"voikkoInit\0")?);
            let analyze: Analyze = std::mem::transmute(symbol(b"voikkoAnalyzeWordCstr\0")?);
            let free_analysis: FreeAnalysis =
                std::mem::transmute(symbol(b"voikko_free_mor_analysis\0")?);
            let value: Value = std::mem::transmute(symbol(b"voikko_mor_analysis_value_cstr\0")?);
            let free_value: FreeValue =
                std::mem::transmute(symbol(b"voikko_free_mor_analysis_value_cstr\0")?);
            let mut error: *const c_char = std::ptr::null();
            let handle = init(&mut error, c"fi".as_ptr(), std::ptr::null());
            if handle.is_null() {
                let reason = if error.is_null() {
                    "unknown error".to_string()
                } else {
                    CStr::from_ptr(error).to_string_lossy().into_owned()
                };
                return Err(format!("no Finnish dictionary for Voikko ({reason})"));
            }
            Ok(Voikko {
                inner: Mutex::new(Inner {
                    handle,
                    analyze,
                    free_analysis,
                    value,
                    free_value,
                    cache: HashMap::new(),
                    _library: library,
                }),
            })
        }
    }

    /// Base form of a lowercase Finnish word ("tuen" -> "tuki"), `None` for a word
    /// Voikko does not know (a typo, a word typed without umlauts, a name).
    pub(crate) fn base_form(&self, word: &str) -> Option<String> {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(cached) = inner.cache.get(word) {
            return cached.as_deref().map(str::to_string);
        }
        let found = inner.analyse(word);
        if inner.cache.len() >= MAX_CACHED {
            inner.cache.clear();
        }
        inner.cache.insert(word.into(), found.as_deref().map(Into::into));
        found
    }
}

impl Inner {
    /// The base form of the word's preferred reading: a noun or adjective when it
    /// has one (services are named by nouns: "tuen" is "tuki" before "tukea"),
    /// otherwise the first reading.
    fn analyse(&self, word: &str) -> Option<String> {
        let word = CString::new(word).ok()?;
        // SAFETY: the handle is live (we hold the mutex); each returned list and
        // value is freed with the library's own free function.
        unsafe {
            let list = (self.analyze)(self.handle, word.as_ptr());
            if list.is_null() {
                return None;
            }
            let mut readings: Vec<(String, String)> = Vec::new();
            let mut at = list;
            while !(*at).is_null() {
                let base = self.read(*at, c"BASEFORM");
                let class = self.read(*at, c"CLASS").unwrap_or_default();
                readings.extend(base.map(|b| (b, class)));
                at = at.add(1);
            }
            (self.free_analysis)(list);
            let nominal = |class: &str| class.starts_with("nimisana") || class == "laatusana";
            readings
                .iter()
                .find(|(_, class)| nominal(class))
                .or(readings.first())
                .map(|(base, _)| base.to_lowercase())
        }
    }

    unsafe fn read(&self, analysis: *mut c_void, key: &CStr) -> Option<String> {
        let value = (self.value)(analysis, key.as_ptr());
        if value.is_null() {
            return None;
        }
        let text = CStr::from_ptr(value).to_string_lossy().into_owned();
        (self.free_value)(value);
        Some(text)
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        // SAFETY: the handle came from voikkoInit and is not used after this.
        unsafe {
            if let Ok(terminate) = self
                ._library
                .get::<unsafe extern "C" fn(*mut c_void)>(b"voikkoTerminate\0")
            {
                terminate(self.handle);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_forms_undo_gradation_when_installed() {
        // scripts/test installs Voikko and sets KAVERI_REQUIRE_VOIKKO, so CI measures it.
        let Some(voikko) = Voikko::get() else {
            assert!(
                std::env::var_os("KAVERI_REQUIRE_VOIKKO").is_none(),
                "KAVERI_REQUIRE_VOIKKO is set but libvoikko + voikko-fi are not usable"
            );
            eprintln!("libvoikko not installed: skipped");
            return;
        };
        assert_eq!(voikko.base_form("tuen").as_deref(), Some("tuki"));
        assert_eq!(voikko.base_form("työkyvyn").as_deref(), Some("työkyky"));
        assert_eq!(
            voikko.base_form("työkykykoordinaattorille").as_deref(),
            Some("työkykykoordinaattori")
        );
        assert_eq!(voikko.base_form("tyokyvyn"), None, "no umlauts: unknown");
    }
}
