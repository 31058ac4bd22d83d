/**
 * An account id as the landscape spells it: digits only, bounded in length. The accountservice's route and
 * store, its `vip_account_ids` setting, and the vipservice's route and reader all accept exactly these.
 */
export const ACCOUNT_ID_PATTERN = '^[0-9]{1,20}$';
