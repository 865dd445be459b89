//! Time as people in the networks speak of it: the Finnish working calendar in Helsinki
//! time, time expressions in three languages, and moments and durations in words.

pub mod calendar;
pub mod expr;
pub mod words;
