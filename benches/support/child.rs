//! What the scale benches share: figures measured in a child process (this bench's
//! binary run again), printed as `key value` lines and read back.

#![allow(dead_code)] // each bench uses a part of it
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// A field of /proc/self/status in KiB (`VmRSS:`, `VmHWM:`).
pub fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.trim().strip_suffix("kB")?.trim().parse().ok())
        .unwrap_or(0)
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

pub fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// Runs this binary again with `mode` and `dir` and returns the figures it prints.
pub fn run_child(mode: &str, dir: &Path) -> Vec<(String, f64)> {
    let exe = std::env::current_exe().expect("own path");
    let output = Command::new(exe).arg(mode).arg(dir).output().expect("run the child");
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        panic!("child failed: {}\n{stdout}\n{}", output.status, String::from_utf8_lossy(&output.stderr));
    }
    stdout
        .lines()
        .filter_map(|line| {
            let (k, v) = line.split_once(' ')?;
            Some((k.to_string(), v.trim().parse().ok()?))
        })
        .collect()
}

pub fn get(figures: &[(String, f64)], key: &str) -> f64 {
    figures.iter().find(|(k, _)| k == key).map(|(_, v)| *v).unwrap_or_else(|| panic!("no {key} from the child"))
}

pub fn verdict(ok: bool) -> &'static str {
    if ok {
        "PASS"
    } else {
        "FAIL"
    }
}

/// Median and 99th percentile of `times`, in microseconds.
pub fn median_p99_us(times: &mut [Duration]) -> (f64, f64) {
    times.sort_unstable();
    let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
    (us(at(0.5)), us(at(0.99)))
}
