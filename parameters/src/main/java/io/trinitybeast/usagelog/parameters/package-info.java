/**
 * Runtime-adjustable parameters: {@link io.trinitybeast.usagelog.parameters.DatabaseParameterSource}
 * is the {@code ParameterSource} a price server hands its producer (LISTEN/NOTIFY on the
 * {@code application_parameters} table, polling as the fallback), and
 * {@link io.trinitybeast.usagelog.parameters.ParameterStore} is what the CLI uses to read and set
 * parameters and to list, compare and apply the 16 system profiles, each change one audited
 * transaction.
 */
package io.trinitybeast.usagelog.parameters;
