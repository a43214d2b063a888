//! Words people read for the upstream's enum values: `PAYMENTHELD` is "Payment held",
//! `MIGRATION_IN_PROGRESS` "Migration in progress". The raw value stays in a tooltip; a value
//! this dashboard does not know is shown as it came.

/// Values whose words cannot be told from their spelling.
const WORDS: &[(&str, &str)] = &[
    ("PAYMENTHELD", "Payment held"),
    ("WONTPAY", "Won't pay"),
    ("CREDITNOTE", "Credit note"),
    ("ACCESSLOG", "Access log"),
    ("WANTS_TO_BE_UP", "Wants to be up"),
    ("SHOULD_BE_UP", "Should be up"),
    ("SHOULD_BE_DOWN", "Should be down"),
    ("TASK_IN_PROGRESS", "Task in progress"),
    ("WORK_IN_PROGRESS", "Work in progress"),
];

/// The words for a known wire value: a table for the run-together ones, else the value with
/// `_` and `-` as spaces, in sentence case.
pub fn human(wire: &str) -> String {
    if let Some((_, words)) = WORDS.iter().find(|(w, _)| *w == wire) {
        return (*words).to_owned();
    }
    let spaced = wire.replace(['_', '-'], " ").to_lowercase();
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::human;
    use crate::model::billing::InvoiceStatus;
    use crate::model::instances::InstanceState;

    #[test]
    fn values_read_as_words() {
        assert_eq!(human("PAYMENTHELD"), "Payment held");
        assert_eq!(human("WONTPAY"), "Won't pay");
        assert_eq!(human("MIGRATION_IN_PROGRESS"), "Migration in progress");
        assert_eq!(human("NOT_RUNNING"), "Not running");
        assert_eq!(human("UP"), "Up");
        assert_eq!(human(""), "");
    }

    #[test]
    fn known_values_get_words_and_unknown_ones_stay_as_they_came() {
        assert_eq!(InvoiceStatus::PaymentHeld.label(), "Payment held");
        assert_eq!(InvoiceStatus::Paid.label(), "Paid");
        assert_eq!(
            InvoiceStatus::Unknown("NEW_STATE".into()).label(),
            "NEW_STATE"
        );
        for s in InstanceState::KNOWN {
            assert!(!s.label().contains('_'), "{s}");
        }
    }
}
