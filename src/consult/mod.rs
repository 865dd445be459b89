//! Consultation tickets. The privacy guard comes first: consultations are anonymous.

pub mod privacy;
pub mod ticket;
pub mod routing;
pub mod stats;
