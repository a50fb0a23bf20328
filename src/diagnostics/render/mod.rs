//! Renderers: human (terminal), JSON, GitHub workflow annotations, SARIF 2.1.0.
