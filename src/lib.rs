#![recursion_limit = "256"]
//! Kaveri: a Matrix bot for Finland's regional work-ability support networks.
//!
//! Adapters (Matrix, console) turn the world into `engine::Event`s; the engine (the
//! kernel with the catalogue, remind and consult capabilities plugged in) decides
//! `engine::Action`s; adapters carry them out.

pub mod catalogue;
pub mod clock;
pub mod config;
pub mod console;
pub mod consult;
pub mod engine;
pub mod kernel;
pub mod lang;
pub mod privacy;
pub mod remind;
pub mod store;
pub mod time;

#[cfg(feature = "matrix")]
pub mod matrix;
