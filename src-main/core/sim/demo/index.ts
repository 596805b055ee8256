/** The demo market's public surface: the market itself, its calibration, its schedule and its quoting rules. */
export { DemoMarket, type DemoMarketOptions } from './market';
export { DEMO_CURRENCY_PARAMS, type DemoCurrencyParams } from './params';
export { demoExpirySchedule, type DemoExpiry, type DemoExpiryKind } from './schedule';
export { demoSmileVol } from './smile';
export { optionTickSize, roundOptionAsk, roundOptionBid, roundOptionNearest } from './quotes';
