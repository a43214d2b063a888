//! Costs: what each application cost on one invoice (`breakdown`), and what a year cost per
//! currency and month of consumption (`year`).

mod breakdown;
pub mod estimate;
mod year;

pub use breakdown::{Breakdown, Check, CountableRow, Payer, PayerLines, UptimeRow, breakdown};
pub use year::{
    ADJUSTMENTS, CostRow, CurrencyCosts, Gap, Month, YEARS, YearCosts, split_by_month, year_costs,
};
