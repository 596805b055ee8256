/** Dealer gamma exposure (issue 5): exposures, GEX profile and flip levels, positioning, cascade maps. */
export * from './analysis';
export * from './cascade';
export * from './chain';
export * from './exposures';
export * from './flipTracker';
export * from './flowInventory';
export * from './gammaModel';
export * from './incremental';
export * from './positioning';
export * from './profile';
