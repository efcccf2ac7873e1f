# Independent computation of the log-linear multiple systems estimates with R's glm.
# Usage: Rscript benchmarks/r/mse_glm.R cells.csv
# cells.csv: one 0/1 column per list and a column `count` (observable histories only).
# Prints, for every hierarchical model with two-list interactions: model, deviance, AIC, N.
args <- commandArgs(trailingOnly = TRUE)
cells <- read.csv(args[1])
lists <- setdiff(names(cells), "count")
pairs <- combn(lists, 2, simplify = FALSE)
n <- sum(cells$count)
cat(sprintf("%-60s %10s %10s %12s\n", "model", "deviance", "aic", "N"))
for (r in 0:length(pairs)) {
  for (combo in combn(seq_along(pairs), r, simplify = FALSE)) {
    terms <- c(lists, vapply(pairs[combo], paste, "", collapse = ":"))
    if (length(terms) + 1 > nrow(cells)) next
    fit <- glm(as.formula(paste("count ~", paste(terms, collapse = " + "))), family = poisson, data = cells)
    if (!fit$converged || max(abs(coef(fit)), na.rm = TRUE) > 15 || any(is.na(coef(fit)))) next
    name <- if (r == 0) "independence" else paste(vapply(pairs[combo], paste, "", collapse = ":"), collapse = " + ")
    cat(sprintf("%-60s %10.4f %10.4f %12.4f\n", name, deviance(fit), AIC(fit), n + exp(coef(fit)[1])))
  }
}
