//! Reminders: time expressions in three languages and the Finnish working calendar.

pub mod calendar;
pub mod time_expr;
pub mod reminder;
